# SPDX-License-Identifier: MIT
# ppc64 (both byte orders): code generation flags for all purgatory code, each with its hardware reason. Used by
# the SDK's own build (arch/ppc64/CMakeLists.txt) and by the installed package alike.
target_compile_options(purgatory_arch_flags INTERFACE
  # ELFv2 on big-endian too: ELFv1 function descriptors (.opd) need a relocation each.
  -mabi=elfv2
  # FP, VMX and VSX may be disabled in the MSR we inherit; using them would fault.
  -msoft-float -mno-altivec -mno-vsx
  # Switch jump tables are tables of addresses, which would need relocating.
  -fno-jump-tables
)
