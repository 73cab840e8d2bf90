// SPDX-License-Identifier: MIT
#include <purgatory/host/abi_names.h>

#include <fmt/format.h>

#include <purgatory/abi.h>
#include <purgatory/host/arch.h>

namespace purgatory::host {
namespace {

std::string from_table(std::uint32_t value, std::initializer_list<const char*> names) {
  if (value < names.size()) return names.begin()[value];
  return fmt::format("unknown ({})", value);
}

std::vector<std::string> bits(std::uint32_t value, std::initializer_list<std::pair<std::uint32_t, const char*>> names) {
  std::vector<std::string> set;
  for (const auto& [bit, name] : names) {
    if (value & bit) set.push_back(name);
    value &= ~bit;
  }
  for (unsigned bit = 0; bit < 32; ++bit) {
    if (value & (1u << bit)) set.push_back(fmt::format("bit {}", bit));
  }
  return set;
}

}  // namespace

std::string status_name(std::uint32_t status) {
  static_assert(PURGATORY_STATUS_FAULT == 6);
  return from_table(status, {"not-run", "running", "verified", "unverified", "mismatch", "bad-info", "fault"});
}

std::string engine_name(std::uint32_t engine) {
  static_assert(PURGATORY_DIGEST_ENGINE_X86_SSSE3 == 5);
  return from_table(engine, {"none", "portable", "sha-ni", "armv8 sha2", "power8 vector crypto", "ssse3+bmi2"});
}

std::string console_kind_name(std::uint32_t kind) {
  if (kind == PURGATORY_CONSOLE_NONE) return "none";
  if (const ConsoleKind* known = console_kind_of(kind)) return std::string(known->name);
  return fmt::format("unknown ({})", kind);
}

std::string reset_method_name(std::uint32_t method) {
  for (const auto& known : reset_methods) {
    if (known.method == method) return std::string(known.name);
  }
  return fmt::format("unknown ({})", method);
}

std::vector<std::string> flag_names(std::uint32_t flags) {
  return bits(flags, {{PURGATORY_FLAG_SKIP_VERIFICATION, "skip-verification"},
                      {PURGATORY_FLAG_RESET_ON_FAILURE, "reset-on-failure"},
                      {PURGATORY_FLAG_QUIET, "quiet"},
                      {PURGATORY_FLAG_NO_HARDWARE_DIGEST, "no-hardware-digest"},
                      {PURGATORY_FLAG_VERIFY_EACH_SEGMENT, "verify-each-segment"}});
}

std::vector<std::string> feature_names(std::uint32_t features) {
  return bits(features, {{PURGATORY_FEATURE_VERIFY_SHA256, "verify-sha256"},
                         {PURGATORY_FEATURE_MEMORY_LOG, "memory-log"},
                         {PURGATORY_FEATURE_RESET, "reset"},
                         {PURGATORY_FEATURE_HARDWARE_DIGEST, "hardware-digest"},
                         {PURGATORY_FEATURE_VERIFY_EACH_SEGMENT, "verify-each-segment"},
                         {PURGATORY_FEATURE_COPY_AFTER_VERIFY, "copy-after-verify"},
                         {PURGATORY_FEATURE_CONSOLE_8250_PIO, "console-8250-pio"},
                         {PURGATORY_FEATURE_CONSOLE_8250_MMIO, "console-8250-mmio"},
                         {PURGATORY_FEATURE_CONSOLE_PL011, "console-pl011"},
                         {PURGATORY_FEATURE_CONSOLE_HVC, "console-hvc"}});
}

std::vector<std::string> digest_flag_names(std::uint32_t digest_flags) {
  return bits(digest_flags, {{PURGATORY_DIGEST_CACHES_ON, "caches-on"}, {PURGATORY_DIGEST_TWO_LANES, "two-lanes"}});
}

std::vector<std::string> ppc64_flag_names(std::uint32_t flags) {
  return bits(flags, {{PURGATORY_PPC64_SET_FDT_BOOT_CPU, "set-fdt-boot-cpu"},
                      {PURGATORY_PPC64_RESTORE_LOW_MEMORY, "restore-low-memory"}});
}

}  // namespace purgatory::host
