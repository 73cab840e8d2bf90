# SPDX-License-Identifier: MIT
# Man pages for the installed programs, generated at build time from their own --help and --version
# (help2man), so that they cannot drift from the code. A program with subcommands gets each command's
# --help in a COMMANDS section.
#
#   purgatory_man_page(<target> DESCRIPTION <one line> [COMMANDS <name>...])
purgatory_require_program(PURGATORY_HELP2MAN help2man help2man)

set(PURGATORY_MAN_PAGES "")
function(purgatory_man_page target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "DESCRIPTION" "COMMANDS")
  set(page ${PROJECT_BINARY_DIR}/man/${target}.1)
  set(include ${PROJECT_BINARY_DIR}/man/${target}.h2m)
  list(JOIN arg_COMMANDS ";" commands)
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${target}> "-DCOMMANDS=${commands}" -DINCLUDE=${include}
            -P ${PROJECT_SOURCE_DIR}/cmake/PurgatoryManInclude.cmake
    COMMAND ${PURGATORY_HELP2MAN} --no-info --no-discard-stderr --section=1 --name=${arg_DESCRIPTION}
            --include=${include} --output=${page} $<TARGET_FILE:${target}>
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/cmake/PurgatoryManInclude.cmake
    COMMENT "Writing the man page ${target}.1"
    VERBATIM)
  add_custom_target(${target}-man-page ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()
