// SPDX-License-Identifier: MIT
#include "kexec.h"

#include <linux/kexec.h>
#include <linux/reboot.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kexec_loader {

purgatory::host::Result<bool> kexec_load(std::uint64_t entry, const std::vector<KexecSegment>& segments,
                                         std::uint64_t arch_flags) {
  std::vector<kexec_segment> kernel_segments;
  for (const auto& segment : segments) {
    kernel_segments.push_back(kexec_segment{segment.bytes.data(), segment.bytes.size(),
                                            reinterpret_cast<const void*>(segment.address),
                                            static_cast<size_t>(segment.memory_size)});
  }
  if (syscall(SYS_kexec_load, entry, kernel_segments.size(), kernel_segments.data(), arch_flags) != 0) {
    const int error = errno;
    const char* hint = error == EPERM    ? " (needs root with CAP_SYS_BOOT, and kexec_load_disabled 0)"
                       : error == ENOSYS ? " (the kernel has no CONFIG_KEXEC)"
                       : error == EBUSY  ? " (another kexec image is loaded, or CPUs are busy)"
                                         : "";
    return purgatory::host::Error{fmt::format("kexec_load: {}{}", std::strerror(error), hint)};
  }
  return true;
}

purgatory::host::Error reboot_into_loaded_kernel() {
  reboot(LINUX_REBOOT_CMD_KEXEC);
  return purgatory::host::Error{fmt::format("reboot(LINUX_REBOOT_CMD_KEXEC): {}", std::strerror(errno))};
}

}  // namespace kexec_loader
