# SPDX-License-Identifier: MIT
# x86_64: code generation flags for all purgatory code, each with its hardware reason. Used by
# the SDK's own build (arch/x86_64/CMakeLists.txt) and by the installed package alike.
target_compile_options(purgatory_arch_flags INTERFACE
  # The old kernel's relocate_kernel leaves CR4.OSFXSR clear: any SSE/AVX instruction would fault.
  # (Not -mgeneral-regs-only: it also removes x87, and libstdc++'s headers declare long double.)
  -mno-sse -mno-mmx
  # Nothing guarantees an interrupt or NMI will not land on our stack below RSP; never rely on it.
  -mno-red-zone
)
