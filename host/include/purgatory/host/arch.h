/* SPDX-License-Identifier: MIT */
// The SDK's arches as the host library knows them: one enum and one table of what differs between
// them (ELF machine and byte order, the registers a loader may set, the resets they have), so that no
// code compares arch names. The values come from <purgatory/abi.h>, the one source of the ABI.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <purgatory/abi.h>
#include <purgatory/host/byte_reader.h>

namespace purgatory::host {

enum class Arch : std::uint8_t { x86_64, arm64, ppc64le, ppc64 };

// A register of union purgatory_next_kernel a loader may set (`seal --reg NAME=VALUE`).
struct RegisterSlot {
  std::string_view name;
  std::uint16_t offset;  // of its 64-bit field in union purgatory_next_kernel
};

// A console kind of purgatory_console, the image feature that says an image has it, and its name in
// console specs (`--console`).
struct ConsoleKind {
  std::uint32_t kind;
  std::uint32_t feature;
  std::string_view name;
};

inline constexpr ConsoleKind console_kinds[] = {
    {PURGATORY_CONSOLE_8250_PIO, PURGATORY_FEATURE_CONSOLE_8250_PIO, "8250-pio"},
    {PURGATORY_CONSOLE_8250_MMIO, PURGATORY_FEATURE_CONSOLE_8250_MMIO, "8250-mmio"},
    {PURGATORY_CONSOLE_PL011, PURGATORY_FEATURE_CONSOLE_PL011, "pl011"},
    {PURGATORY_CONSOLE_HVC, PURGATORY_FEATURE_CONSOLE_HVC, "hvc"},
};

// A reset method of purgatory_reset and its name in reset specs (`--reset`).
struct ResetMethod {
  std::uint32_t method;
  std::string_view name;
};

inline constexpr ResetMethod reset_methods[] = {
    {PURGATORY_RESET_DEFAULT, "default"},
    {PURGATORY_RESET_PSCI_HVC, "psci-hvc"},
    {PURGATORY_RESET_PSCI_SMC, "psci-smc"},
    {PURGATORY_RESET_RTAS_HCALL, "rtas-hcall"},
};

namespace arch_detail {
inline constexpr RegisterSlot x86_64_registers[] = {
    {"rax", offsetof(purgatory_x86_64_state, rax)}, {"rbx", offsetof(purgatory_x86_64_state, rbx)},
    {"rcx", offsetof(purgatory_x86_64_state, rcx)}, {"rdx", offsetof(purgatory_x86_64_state, rdx)},
    {"rsi", offsetof(purgatory_x86_64_state, rsi)}, {"rdi", offsetof(purgatory_x86_64_state, rdi)},
    {"rbp", offsetof(purgatory_x86_64_state, rbp)}, {"rsp", offsetof(purgatory_x86_64_state, rsp)},
    {"r8", offsetof(purgatory_x86_64_state, r8)},   {"r9", offsetof(purgatory_x86_64_state, r9)},
    {"r10", offsetof(purgatory_x86_64_state, r10)}, {"r11", offsetof(purgatory_x86_64_state, r11)},
    {"r12", offsetof(purgatory_x86_64_state, r12)}, {"r13", offsetof(purgatory_x86_64_state, r13)},
    {"r14", offsetof(purgatory_x86_64_state, r14)}, {"r15", offsetof(purgatory_x86_64_state, r15)},
};
inline constexpr RegisterSlot arm64_registers[] = {
    {"x0", offsetof(purgatory_arm64_state, x) + 0},  {"x1", offsetof(purgatory_arm64_state, x) + 8},
    {"x2", offsetof(purgatory_arm64_state, x) + 16}, {"x3", offsetof(purgatory_arm64_state, x) + 24},
};
inline constexpr RegisterSlot ppc64_registers[] = {
    {"r3", offsetof(purgatory_ppc64_state, r3)}, {"r4", offsetof(purgatory_ppc64_state, r4)},
    {"r5", offsetof(purgatory_ppc64_state, r5)}, {"r8", offsetof(purgatory_ppc64_state, r8)},
    {"r9", offsetof(purgatory_ppc64_state, r9)},
};
constexpr std::uint32_t bit(std::uint32_t method) { return std::uint32_t{1} << method; }
}  // namespace arch_detail

struct ArchTraits {
  Arch arch;
  std::string_view name;         // the SDK's name: "x86_64", "arm64", "ppc64le", "ppc64"
  std::uint16_t elf_machine;     // PURGATORY_MACHINE_*, the ELF e_machine
  ByteOrder byte_order;
  std::span<const RegisterSlot> registers;  // in the order `inspect` shows them
  std::uint32_t reset_methods;   // bit n set: PURGATORY_RESET_* n is this arch's
  std::string_view qemu_system;  // the qemu-system program that emulates it
};

inline constexpr std::array<ArchTraits, 4> arch_table = {{
    {Arch::x86_64, "x86_64", PURGATORY_MACHINE_X86_64, ByteOrder::little, arch_detail::x86_64_registers,
     arch_detail::bit(PURGATORY_RESET_DEFAULT), "qemu-system-x86_64"},
    {Arch::arm64, "arm64", PURGATORY_MACHINE_AARCH64, ByteOrder::little, arch_detail::arm64_registers,
     arch_detail::bit(PURGATORY_RESET_DEFAULT) | arch_detail::bit(PURGATORY_RESET_PSCI_HVC) |
         arch_detail::bit(PURGATORY_RESET_PSCI_SMC),
     "qemu-system-aarch64"},
    {Arch::ppc64le, "ppc64le", PURGATORY_MACHINE_PPC64, ByteOrder::little, arch_detail::ppc64_registers,
     arch_detail::bit(PURGATORY_RESET_DEFAULT) | arch_detail::bit(PURGATORY_RESET_RTAS_HCALL), "qemu-system-ppc64"},
    {Arch::ppc64, "ppc64", PURGATORY_MACHINE_PPC64, ByteOrder::big, arch_detail::ppc64_registers,
     arch_detail::bit(PURGATORY_RESET_DEFAULT) | arch_detail::bit(PURGATORY_RESET_RTAS_HCALL), "qemu-system-ppc64"},
}};
static_assert(arch_table[static_cast<std::size_t>(Arch::x86_64)].arch == Arch::x86_64 &&
              arch_table[static_cast<std::size_t>(Arch::arm64)].arch == Arch::arm64 &&
              arch_table[static_cast<std::size_t>(Arch::ppc64le)].arch == Arch::ppc64le &&
              arch_table[static_cast<std::size_t>(Arch::ppc64)].arch == Arch::ppc64,
              "arch_table is indexed by Arch");

constexpr const ArchTraits& traits(Arch arch) { return arch_table[static_cast<std::size_t>(arch)]; }
constexpr std::string_view name_of(Arch arch) { return traits(arch).name; }

// "x86_64" -> Arch::x86_64; nothing for a name the SDK does not have.
constexpr std::optional<Arch> arch_named(std::string_view name) {
  for (const auto& entry : arch_table) {
    if (entry.name == name) return entry.arch;
  }
  return std::nullopt;
}

// The arch of an ELF machine and byte order; nothing for one the SDK does not build for.
constexpr std::optional<Arch> arch_of(std::uint16_t elf_machine, ByteOrder order) {
  for (const auto& entry : arch_table) {
    if (entry.elf_machine == elf_machine && entry.byte_order == order) return entry.arch;
  }
  return std::nullopt;
}

// The slot of register `name` on `arch`, if it has one a loader may set.
constexpr std::optional<RegisterSlot> register_slot(Arch arch, std::string_view name) {
  for (const auto& slot : traits(arch).registers) {
    if (slot.name == name) return slot;
  }
  return std::nullopt;
}

constexpr bool has_reset_method(Arch arch, std::uint32_t method) {
  return method < 32 && (traits(arch).reset_methods & (std::uint32_t{1} << method)) != 0;
}

constexpr const ResetMethod* reset_method_named(std::string_view name) {
  for (const auto& method : reset_methods) {
    if (method.name == name) return &method;
  }
  return nullptr;
}

// The console kind named `name` in a console spec, or of value `kind`.
constexpr const ConsoleKind* console_kind_named(std::string_view name) {
  for (const auto& kind : console_kinds) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}
constexpr const ConsoleKind* console_kind_of(std::uint32_t value) {
  for (const auto& kind : console_kinds) {
    if (kind.kind == value) return &kind;
  }
  return nullptr;
}

}  // namespace purgatory::host
