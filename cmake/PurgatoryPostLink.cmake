# SPDX-License-Identifier: MIT
# Run after every purgatory link (cmake -P): the independent gate, then the flat image.
# Inputs: ELF, PURGATORY_TOOL, OBJCOPY, CHECK_OPTIONS (--no-header for a bare blob).
string(REGEX REPLACE "\\.elf$" ".bin" bin "${ELF}")

execute_process(COMMAND ${PURGATORY_TOOL} check ${CHECK_OPTIONS} ${ELF} RESULT_VARIABLE result OUTPUT_QUIET)
if(NOT result EQUAL 0)
  file(REMOVE "${ELF}" "${bin}")
  message(FATAL_ERROR "purgatory post-link check failed for ${ELF} (see above); the file was removed")
endif()

execute_process(COMMAND ${OBJCOPY} -O binary ${ELF} ${bin}.tmp RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(REMOVE "${bin}.tmp" "${ELF}")
  message(FATAL_ERROR "llvm-objcopy could not write the flat image of ${ELF}")
endif()
file(RENAME "${bin}.tmp" "${bin}")
