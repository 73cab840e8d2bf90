# SPDX-License-Identifier: MIT
# A purgatory starts from an empty flag set. CMake seeds CMAKE_<LANG>_FLAGS from the environment's
# CFLAGS/CXXFLAGS/ASMFLAGS and the linker flags from LDFLAGS; a distribution's hardening flags
# (-fstack-protector-strong, -D_FORTIFY_SOURCE, -fcf-protection, -z relro, -z now, ...) arrive that way
# and are the most common way purgatories break. Shadow every such variable with an empty one for this
# build (the cache keeps what was given, and we say what we ignore: what came from the environment or
# the user, not CMake's own per-configuration defaults such as -O3 -DNDEBUG, which every build has).
set(_purgatory_ignored_flags "")
foreach(variable IN ITEMS CMAKE_C_FLAGS CMAKE_CXX_FLAGS CMAKE_ASM_FLAGS
                          CMAKE_EXE_LINKER_FLAGS CMAKE_STATIC_LINKER_FLAGS CMAKE_MODULE_LINKER_FLAGS
                          CMAKE_SHARED_LINKER_FLAGS)
  foreach(config IN ITEMS "" _DEBUG _RELEASE _RELWITHDEBINFO _MINSIZEREL)
    string(STRIP "${${variable}${config}}" _purgatory_value)
    set(_purgatory_default "")
    if(config)
      string(STRIP "${${variable}${config}_INIT}" _purgatory_default)
    endif()
    if(NOT _purgatory_value STREQUAL "" AND NOT _purgatory_value STREQUAL _purgatory_default)
      string(APPEND _purgatory_ignored_flags "\n   ${variable}${config}: ${_purgatory_value}")
    endif()
    set(${variable}${config} "")
  endforeach()
endforeach()
unset(_purgatory_value)
unset(_purgatory_default)
if(_purgatory_ignored_flags)
  message(STATUS "Purgatory build ignores host flags (purgatory flags come only from the SDK):"
                 "${_purgatory_ignored_flags}")
endif()
unset(_purgatory_ignored_flags)
