/* SPDX-License-Identifier: MIT */
// The emulated machines the boot tests start a purgatory on (QEMU, TCG), one per arch, entered the way
// each arch's kexec enters a purgatory: x86_64 in long mode through a small multiboot bootstrap, arm64 at
// EL1 or EL2 (optionally with VHE), ppc64 through a trampoline that turns on 64-bit mode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <purgatory/abi.h>
#include <purgatory/host/arch.h>

namespace purgatory::test {

struct Machine {
  host::Arch arch = host::Arch::x86_64;
  std::string bootstrap;  // x86_64: the multiboot bootstrap (.bin)
  bool el2 = false;       // arm64: enter at EL2 (virtualization=on)
  bool vhe = false;       // arm64: at EL2 with HCR_EL2.E2H set, as a VHE kernel runs (implies el2)
  bool cpu_max = false;   // x86_64: QEMU's "max" CPU (SSSE3 and BMI2; no SHA-NI in QEMU 7.2's TCG)
};

// A file and where it is loaded.
struct Placed {
  std::filesystem::path file;
  std::uint64_t address = 0;
};

// The QEMU command that runs `files` with the CPU entering at `entry`: serial console on stdio, 6 GiB
// of RAM, a reset ends the run (-no-reboot), the human monitor on `monitor_socket` when one is given.
// Writes the trampolines it needs into `work_dir`.
std::vector<std::string> qemu_command(const Machine& machine, std::uint64_t entry, const std::vector<Placed>& files,
                                      const std::filesystem::path& work_dir, const std::string& monitor_socket = {});

// The console a purgatory should be given on the emulated machine (COM1 with a divisor that exercises
// the line set-up; the PL011; the hypervisor console).
purgatory_console emulated_console(host::Arch arch);

// The digest engine the purgatory picks on the emulated CPU, by its console name: TCG's x86 CPUs have no
// SHA-NI, and its default qemu64 neither SSSE3 nor BMI2 (portable), its "max" both (ssse3+bmi2);
// cortex-a57 and max have the Armv8 SHA-256 instructions, hashed with the caches on in the cache
// window; power9 has POWER8's vector crypto; the portable code where the loader forbids the hardware.
std::string emulated_engine(const Machine& machine, bool no_hardware_digest);

// How the stand-in next kernel ends the run: x86_64 and arm64 exit with status 33 (isa-debug-exit,
// semihosting), ppc64 powers off (status 0).
int success_exit_status(host::Arch arch);

}  // namespace purgatory::test
