# SPDX-License-Identifier: MIT
# help2man's include file for PROGRAM (cmake -P): the SEE ALSO section, and with COMMANDS, each
# command's --help output in a COMMANDS section, kept as printed.
#   cmake -DPROGRAM=<path> -DCOMMANDS=<a;b> -DINCLUDE=<file.h2m> -P PurgatoryManInclude.cmake
set(text "")
if(COMMANDS)
  string(APPEND text "[COMMANDS]\n")
  foreach(command IN LISTS COMMANDS)
    execute_process(COMMAND ${PROGRAM} ${command} --help OUTPUT_VARIABLE help RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "${PROGRAM} ${command} --help failed (${result})")
    endif()
    # Roff: backslashes escaped, no line may start with a control character.
    string(REPLACE "\\" "\\e" help "${help}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
    string(APPEND text ".SS ${command}\n.nf\n${help}.fi\n")
  endforeach()
endif()
string(APPEND text "[SEE ALSO]\nThe SDK's documentation, installed in share/doc/purgatory-sdk: abi.md (the loader contract), "
                   "loaders.md, purgatory-tool.md (the tools and their JSON), building.md.\n")
file(WRITE ${INCLUDE} "${text}")
