# SPDX-License-Identifier: MIT
# arm64: code generation flags for all purgatory code, each with its hardware reason. Used by
# the SDK's own build (arch/arm64/CMakeLists.txt) and by the installed package alike.
target_compile_options(purgatory_arch_flags INTERFACE
  # FP/SIMD access may trap (CPACR_EL1.FPEN / CPTR_EL2) and the next kernel expects it untouched.
  -mgeneral-regs-only
  # With the MMU off all data accesses are Device-nGnRnE, where an unaligned access faults.
  -mstrict-align
)
