// SPDX-License-Identifier: MIT
#include "machine.h"

#include <span>

#include <fmt/format.h>

#include <purgatory/host/file.h>
#include <purgatory/host/image.h>
#include <purgatory/host/loadable_elf.h>

namespace purgatory::test {
namespace {

using namespace purgatory::host;
namespace fs = std::filesystem;

// QEMU's pseries needs its -kernel as an ELF, starts it at the load address (kernel-addr) rather than
// at e_entry, and keeps only the low 32 bits of that address. So the -kernel is a small trampoline
// loaded low, which jumps to the purgatory's 64-bit entry address; the purgatory is loaded with
// -device loader like every other segment. VOF starts the CPU big-endian and in 32-bit mode; the
// trampoline (big-endian code) turns on 64-bit mode, as Linux's kexec leaves it, and the purgatory's
// entry switches to its own byte order as it does under kexec.
constexpr std::uint64_t pseries_trampoline_address = 0x4000000;

std::vector<std::byte> pseries_trampoline(std::uint64_t target) {
  const auto field = [&](unsigned shift) { return static_cast<std::uint32_t>((target >> shift) & 0xffff); };
  const std::uint32_t code[] = {
      0x7d6000a6,              // mfmsr  r11
      0x39800001,              // li     r12, 1
      0x798cf806,              // sldi   r12, r12, 63        (MSR[SF]: 64-bit mode)
      0x7d6b6378,              // or     r11, r11, r12
      0x7d600164,              // mtmsrd r11
      0x4c00012c,              // isync
      0x3d800000 | field(48),  // lis    r12, target[63:48]
      0x618c0000 | field(32),  // ori    r12, r12, target[47:32]
      0x798c07c6,              // sldi   r12, r12, 32
      0x658c0000 | field(16),  // oris   r12, r12, target[31:16]
      0x618c0000 | field(0),   // ori    r12, r12, target[15:0]
      0x7d8903a6,              // mtctr  r12
      0x4e800420,              // bctr
  };
  std::vector<std::byte> bytes;
  for (std::uint32_t word : code) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::byte>(word >> shift));
  }
  ImageHeader header;
  header.byte_order = ByteOrder::big;
  header.elf_machine = PURGATORY_MACHINE_PPC64;
  header.memory_size = bytes.size();
  return loadable_elf(header, bytes);
}

// arm64 VHE: QEMU enters EL2 with HCR_EL2.E2H clear, and no CPU model both has FEAT_VHE and sets it.
// This stub, where the CPU starts, sets E2H (as a VHE kernel runs, with CPTR_EL2 in CPACR_EL1's layout)
// and jumps to the purgatory's entry.
constexpr std::uint64_t vhe_trampoline_address = 0x47ff0000;

std::vector<std::byte> vhe_trampoline(std::uint64_t target) {
  const std::uint32_t code[] = {
      0xd53c1100,  // mrs  x0, hcr_el2
      0xb25e0000,  // orr  x0, x0, #(1 << 34)   (E2H)
      0xd51c1100,  // msr  hcr_el2, x0
      0xd5033fdf,  // isb
      0x58000041,  // ldr  x1, target (the literal below)
      0xd61f0020,  // br   x1
      static_cast<std::uint32_t>(target), static_cast<std::uint32_t>(target >> 32),
  };
  std::vector<std::byte> bytes;
  for (std::uint32_t word : code) {
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<std::byte>(word >> shift));
  }
  return bytes;
}

void write_file(const fs::path& path, std::span<const std::byte> bytes) {
  const auto written = write_output(path.string(), bytes);
  if (!written) throw std::runtime_error(written.error().message);
}

}  // namespace

std::vector<std::string> qemu_command(const Machine& machine, std::uint64_t entry, const std::vector<Placed>& files,
                                      const fs::path& work_dir, const std::string& monitor_socket) {
  auto loader = [](const fs::path& file, std::uint64_t address) {
    return fmt::format("loader,file={},addr={:#x}", file.string(), address);
  };
  std::vector<std::string> command;
  const std::string qemu(host::traits(machine.arch).qemu_system);
  if (machine.arch == host::Arch::x86_64) {
    command = {qemu, "-M", "pc", "-m", "6G", "-kernel", machine.bootstrap,
               "-append", fmt::format("{:#x}", entry), "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"};
    if (machine.cpu_max) command.insert(command.end(), {"-cpu", "max"});
  } else if (machine.arch == host::Arch::arm64) {
    // VHE needs an Armv8.1 CPU: "max" (which also has the SHA-256 instructions).
    const bool el2 = machine.el2 || machine.vhe;
    command = {qemu, "-M", el2 ? "virt,virtualization=on" : "virt", "-cpu",
               machine.vhe ? "max" : "cortex-a57", "-m", "6G", "-semihosting"};
    if (machine.vhe) {
      const fs::path trampoline = work_dir / "vhe-trampoline.bin";
      write_file(trampoline, vhe_trampoline(entry));
      command.insert(command.end(), {"-device", loader(trampoline, vhe_trampoline_address), "-device",
                                     fmt::format("loader,addr={:#x},cpu-num=0", vhe_trampoline_address)});
    } else {
      command.insert(command.end(), {"-device", fmt::format("loader,addr={:#x},cpu-num=0", entry)});
    }
  } else {
    // See pseries_trampoline(). The caps silence warnings TCG cannot honour.
    const fs::path trampoline = work_dir / "trampoline.elf";
    write_file(trampoline, pseries_trampoline(entry));
    command = {qemu, "-M",
               fmt::format("pseries,x-vof=on,kernel-addr={:#x},cap-ccf-assist=off,cap-cfpc=broken,"
                           "cap-sbbc=broken,cap-ibs=broken",
                           pseries_trampoline_address),
               "-cpu", "power9", "-m", "6G", "-kernel", trampoline.string()};
  }
  command.insert(command.end(), {"-nographic", "-nodefaults", "-serial", "stdio", "-no-reboot"});
  if (!monitor_socket.empty()) {
    command.insert(command.end(), {"-monitor", fmt::format("unix:{},server=on,wait=off", monitor_socket)});
  }
  for (const Placed& placed : files) command.insert(command.end(), {"-device", loader(placed.file, placed.address)});
  return command;
}

purgatory_console emulated_console(host::Arch arch) {
  purgatory_console console{};
  if (arch == host::Arch::x86_64) {
    console.kind = PURGATORY_CONSOLE_8250_PIO;
    console.base = 0x3f8;
    console.divisor = 1;  // 115200 baud from the 1.8432 MHz clock: exercises the line setup
  } else if (arch == host::Arch::arm64) {
    console.kind = PURGATORY_CONSOLE_PL011;
    console.base = 0x09000000;
  } else {
    console.kind = PURGATORY_CONSOLE_HVC;
  }
  return console;
}

std::string emulated_engine(const Machine& machine, bool no_hardware_digest) {
  switch (machine.arch) {
    case host::Arch::x86_64: return machine.cpu_max && !no_hardware_digest ? "ssse3+bmi2" : "portable";
    case host::Arch::arm64: return no_hardware_digest ? "portable, caches on" : "armv8 sha2, caches on";
    case host::Arch::ppc64le:
    case host::Arch::ppc64: return no_hardware_digest ? "portable" : "power8 vector crypto";
  }
  return "portable";
}

int success_exit_status(host::Arch arch) { return host::traits(arch).elf_machine == PURGATORY_MACHINE_PPC64 ? 0 : 33; }

}  // namespace purgatory::test
