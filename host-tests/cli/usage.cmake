# SPDX-License-Identifier: MIT
# purgatory-tool's command line itself: --help, --version, and bad usage (exit status 2).
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)

function(test_help)
  expect(EXIT 0 COMMAND "${TOOL}" --help
         OUTPUT_MATCHES "inspect" "check" "seal" "embed" "digest" "sha256"
                        "Exit status: 0 success. 1 a check failed" "2 bad usage" "3 an internal error")

  # Each command's --help states what it is for.
  expect(EXIT 0 COMMAND "${TOOL}" inspect --help OUTPUT_MATCHES "Describe purgatory images" "--json" "--brief")
  expect(EXIT 0 COMMAND "${TOOL}" check --help OUTPUT_MATCHES "runs without relocation" "--no-header")
  expect(EXIT 0 COMMAND "${TOOL}" seal --help
         OUTPUT_MATCHES "Fill in purgatory_info" "--load-address" "--segment" "--console")
  expect(EXIT 0 COMMAND "${TOOL}" embed --help OUTPUT_MATCHES "C header" "\\.incbin" "--format")
  expect(EXIT 0 COMMAND "${TOOL}" digest --help OUTPUT_MATCHES "SHA-256 of each image as built")
  expect(EXIT 0 COMMAND "${TOOL}" sha256 --help OUTPUT_MATCHES "as sha256sum does")
  # --help wins over a missing required argument.
  expect(EXIT 0 COMMAND "${TOOL}" seal --help OUTPUT_MATCHES "Usage:.* seal")
endfunction()

function(test_version)
  regex_quote(version "${VERSION}")
  expect(EXIT 0 COMMAND "${TOOL}" --version OUTPUT_MATCHES "^${version}\n$")
endfunction()

function(test_bad_usage)
  # Every usage error in the tool's own form: "purgatory-tool: ", the problem, where to look.
  expect(EXIT 2 COMMAND "${TOOL}" OUTPUT_MATCHES "^$"
         ERROR_MATCHES "^purgatory-tool: A subcommand is required\nRun 'purgatory-tool --help'")
  # An unknown command is named; an option before any command is reported as a missing command.
  expect(EXIT 2 COMMAND "${TOOL}" frobnicate
         ERROR_MATCHES "^purgatory-tool: unknown command \"frobnicate\" \\(commands: check, digest, embed, inspect, relocations, seal, sha256\\)\nRun 'purgatory-tool --help'")
  expect(EXIT 2 COMMAND "${TOOL}" --frobnicate ERROR_MATCHES "A subcommand is required")
  expect(EXIT 2 COMMAND "${TOOL}" check --frobnicate x ERROR_MATCHES "not expected: --frobnicate")

  # An unknown option is named, also where a required argument is missing as well.
  expect(EXIT 2 COMMAND "${TOOL}" inspect -q ERROR_MATCHES "^purgatory-tool: unknown option -q\nRun 'purgatory-tool --help'")
  expect(EXIT 2 COMMAND "${TOOL}" sha256 -dash ERROR_MATCHES "^purgatory-tool: unknown option -dash\n")

  # Missing required arguments and options.
  expect(EXIT 2 COMMAND "${TOOL}" check ERROR_MATCHES "FILE is required")
  expect(EXIT 2 COMMAND "${TOOL}" inspect ERROR_MATCHES "FILE is required")
  expect(EXIT 2 COMMAND "${TOOL}" digest ERROR_MATCHES "IMAGE is required")
  expect(EXIT 2 COMMAND "${TOOL}" sha256 ERROR_MATCHES "FILE is required")
  expect(EXIT 2 COMMAND "${TOOL}" embed image.bin -o out.h ERROR_MATCHES "--name is required")
  expect(EXIT 2 COMMAND "${TOOL}" embed image.bin --name n ERROR_MATCHES "--output is required")
  expect(EXIT 2 COMMAND "${TOOL}" seal image.bin --load-address 0x100000 --segment 0x200000:k --entry 0
         ERROR_MATCHES "--output is required")
  expect(EXIT 2 COMMAND "${TOOL}" seal image.bin -o out --segment 0x200000:k --entry 0
         ERROR_MATCHES "--load-address is required")
  expect(EXIT 2 COMMAND "${TOOL}" seal image.bin -o out --load-address 0x100000 --entry 0
         ERROR_MATCHES "--segment is required")
  expect(EXIT 2 COMMAND "${TOOL}" seal image.bin -o out --load-address 0x100000 --segment 0x200000:k
         ERROR_MATCHES "--entry is required")

  # Values outside an option's set.
  expect(EXIT 2 COMMAND "${TOOL}" embed image.bin --name n --format rust -o out ERROR_MATCHES "--format: rust not in")
  expect(EXIT 2 COMMAND "${TOOL}" seal image.bin -o out --load-address 0 --segment 0:k --entry 0 --on-failure explode
         ERROR_MATCHES "--on-failure: explode not in")
  expect(EXIT 2 COMMAND "${TOOL}" seal image.bin -o out --load-address 0 --segment 0:k --entry 0 --arch riscv64
         ERROR_MATCHES "--arch: riscv64 not in")
  # A value that is not a number is bad usage too, in the same form.
  expect(EXIT 2 COMMAND "${TOOL}" seal image.bin -o out --load-address 0xZZ --segment 0:k --entry 0
         ERROR_MATCHES "^purgatory-tool: ")
  # Usage errors are found before any file is touched.
  expect_no_file("${WORK_DIR}/out" "${WORK_DIR}/out.h")
endfunction()

# Output that cannot be written is an error (exit 2, named), never a success with the results lost:
# /dev/full fails every write, at the first flush of a short output or in the middle of a long one.
function(test_output_errors)
  purgatory_image(bin x86_64 bin)
  file(WRITE data.txt "some bytes\n")
  set(many "")
  foreach(i RANGE 300)
    list(APPEND many data.txt)
  endforeach()
  foreach(command IN ITEMS "sha256;data.txt" "sha256;${many}" "inspect;--json;${bin}" "digest;${bin}"
                           "check;${bin}")
    execute_process(COMMAND "${TOOL}" ${command} OUTPUT_FILE /dev/full ERROR_VARIABLE err RESULT_VARIABLE status)
    list(GET command 0 name)
    if(status EQUAL 2 AND err MATCHES "^purgatory-tool: cannot write to standard output: No space left on device\n$")
      message(STATUS "ok: ${name} to /dev/full: exit 2, named")
    else()
      message(SEND_ERROR "FAILED: ${name} to /dev/full: exit ${status} (expected 2), standard error:\n${err}")
    endif()
  endforeach()
endfunction()

function(test_documented)
  # Every command --help lists is in docs/purgatory-tool.md's table and the README's, and every one whose
  # --help offers --json is among those the JSON section names: a command added without its docs fails.
  set(docs_dir "${CMAKE_CURRENT_LIST_DIR}/../..")
  file(READ "${docs_dir}/docs/purgatory-tool.md" manual)
  file(READ "${docs_dir}/README.md" readme)
  expect(EXIT 0 COMMAND "${TOOL}" --help OUTPUT_VARIABLE help OUTPUT_MATCHES "Subcommands:")
  string(REGEX MATCH "Subcommands:\n.*" listed "${help}")
  string(REGEX MATCHALL "\n  [a-z0-9-]+ " lines "${listed}")
  set(commands "")
  foreach(line IN LISTS lines)
    string(STRIP "${line}" command)
    list(APPEND commands "${command}")
  endforeach()
  list(LENGTH commands count)
  if(count LESS 7)
    message(SEND_ERROR "FAILED: expected at least 7 commands in --help, found: ${commands}")
  endif()
  string(REGEX MATCH "`--json` \\(on [^)]*\\)" json_commands "${manual}")
  if(NOT json_commands)
    message(SEND_ERROR "FAILED: docs/purgatory-tool.md no longer says which commands take --json")
  endif()
  foreach(command IN LISTS commands)
    foreach(doc IN ITEMS manual readme)
      if(NOT ${doc} MATCHES "\n\\| `${command}[ `]")
        message(SEND_ERROR "FAILED: the ${doc} has no table row for the command ${command}")
      endif()
    endforeach()
    execute_process(COMMAND "${TOOL}" ${command} --help OUTPUT_VARIABLE command_help RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
      message(SEND_ERROR "FAILED: ${command} --help exited ${status}")
    elseif(command_help MATCHES "\n  --json" AND NOT json_commands MATCHES "`${command}`")
      message(SEND_ERROR "FAILED: ${command} takes --json but docs/purgatory-tool.md does not say so: "
                         "${json_commands}")
    endif()
  endforeach()
  message(STATUS "ok: commands documented: ${commands}")
endfunction()

run_group()
