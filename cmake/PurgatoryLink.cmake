# SPDX-License-Identifier: MIT
# Every purgatory link runs through this script (the targets' <LANG>_LINKER_LAUNCHER): the link itself,
# whose linker script's ASSERTs are the first relocation gate; then the second, independent gate
# (purgatory-tool check on the linked file); then the flat image. When either gate fails it also says
# which objects store an address, and of what (purgatory-tool relocations on the link's objects and
# archives), and removes what the link wrote: nothing half-checked is left behind.
#
#   cmake -DPURGATORY_TOOL=... -DOBJCOPY=... [-DCHECK_OPTIONS=--no-header] -P PurgatoryLink.cmake -- <link command>
set(link "")
set(in_command FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(in_command)
    list(APPEND link "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(in_command TRUE)
  endif()
endforeach()
if(NOT link)
  message(FATAL_ERROR "usage: cmake -DPURGATORY_TOOL=... -DOBJCOPY=... -P PurgatoryLink.cmake -- <link command>")
endif()

# The output (after -o) and the inputs that can store addresses, including those in response files.
set(elf "")
set(inputs "")
set(previous "")
foreach(argument IN LISTS link)
  if(previous STREQUAL "-o")
    set(elf "${argument}")
  elseif(argument MATCHES "^@(.+)$" AND EXISTS "${CMAKE_MATCH_1}")
    file(READ "${CMAKE_MATCH_1}" response)
    separate_arguments(response UNIX_COMMAND "${response}")
    foreach(word IN LISTS response)
      if(word MATCHES "\\.(o|obj|a)$")
        list(APPEND inputs "${word}")
      endif()
    endforeach()
  elseif(argument MATCHES "\\.(o|obj|a)$")
    list(APPEND inputs "${argument}")
  endif()
  set(previous "${argument}")
endforeach()
string(REGEX REPLACE "\\.elf$" ".bin" bin "${elf}")

function(explain_and_fail what)
  file(REMOVE "${elf}" "${bin}")
  execute_process(COMMAND ${PURGATORY_TOOL} relocations ${inputs}
                  OUTPUT_VARIABLE found ERROR_VARIABLE problems)
  # Printed as they are (a FATAL_ERROR message would rewrap the lines).
  if(found)
    message(NOTICE "What stores an address in the link's objects (purgatory-tool relocations), the likely "
                   "cause:\n${found}${problems}")
  else()
    message(NOTICE "No object or archive of the link stores an address (${problems}): look at the linker "
                   "script and at what the link adds itself.")
  endif()
  message(FATAL_ERROR "${what}")
endfunction()

execute_process(COMMAND ${link} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  explain_and_fail("purgatory link of ${elf} failed (see the linker's message above)")
endif()

execute_process(COMMAND ${PURGATORY_TOOL} check ${CHECK_OPTIONS} ${elf} RESULT_VARIABLE result OUTPUT_QUIET)
if(NOT result EQUAL 0)
  explain_and_fail("purgatory post-link check failed for ${elf} (see above); the file was removed")
endif()

execute_process(COMMAND ${OBJCOPY} -O binary ${elf} ${bin}.tmp RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(REMOVE "${bin}.tmp" "${elf}")
  message(FATAL_ERROR "llvm-objcopy could not write the flat image of ${elf}")
endif()
file(RENAME "${bin}.tmp" "${bin}")
