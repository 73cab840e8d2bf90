# SPDX-License-Identifier: MIT
# Helpers for the purgatory-tool end-to-end tests; every test script includes this first.
#
# A script runs with cmake -P, started by run.cmake in an empty WORK_DIR (relative file names are
# there), with these variables (host-tests/cli/CMakeLists.txt passes them):
#   TOOL           the purgatory-tool under test
#   GROUP          which group of the script's cases to run: the script calls test_${GROUP}()
#   WORK_DIR       the scratch directory, the current directory
#   IMAGES_DIR     the directory holding the purgatory sub-builds (<arch>-clang<N>/...)
#   CLANG_VERSION  the <N> of the sub-builds to use
#   CC             the host C compiler (embed.cmake)
#   VERSION        the SDK version --version must print (usage.cmake)
#
# A failed expectation is reported with the command and its whole output, and the script goes on, so
# one run shows every failure of its group; cmake -P then exits non-zero. A missing input (image,
# program) is a fatal error: the test fails, it is never skipped.
cmake_minimum_required(VERSION 3.25)

include(${CMAKE_CURRENT_LIST_DIR}/../common/require_inputs.cmake)
require_inputs(TOOL GROUP WORK_DIR)
if(NOT EXISTS "${TOOL}")
  message(FATAL_ERROR "purgatory-tool not found at ${TOOL}: build the project first")
endif()
# In script mode CMAKE_CURRENT_SOURCE_DIR is the current directory, against which file() resolves.
file(REAL_PATH "${CMAKE_CURRENT_SOURCE_DIR}" current_dir)
file(REAL_PATH "${WORK_DIR}" work_dir)
if(NOT current_dir STREQUAL work_dir)
  message(FATAL_ERROR "run this script through run.cmake, in WORK_DIR (${WORK_DIR})")
endif()

set(ARCHES x86_64 arm64 ppc64le ppc64)

# The ABI version the images carry comes from the one header that defines it, so that a minor bump
# changes the expectations with it.
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/../../runtime/include/purgatory/abi.h" abi_version_lines
     REGEX "^#define PURGATORY_ABI_(MAJOR|MINOR) ")
foreach(line IN LISTS abi_version_lines)
  if(line MATCHES "^#define PURGATORY_ABI_(MAJOR|MINOR) +([0-9]+)")
    set(ABI_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()
if(NOT DEFINED ABI_MAJOR OR NOT DEFINED ABI_MINOR)
  message(FATAL_ERROR "cannot read PURGATORY_ABI_MAJOR/MINOR from runtime/include/purgatory/abi.h")
endif()

# A SHA-256 in hex (CMake regexes have no {n}), and regex_quote() for literal text such as paths.
string(REPEAT "[0-9a-f]" 64 SHA256_RE)
function(regex_quote var text)
  string(REGEX REPLACE [[([][.*+?^$()|\\])]] [[\\\1]] quoted "${text}")
  set(${var} "${quoted}" PARENT_SCOPE)
endfunction()

# Coreutils, for the byte-level work CMake cannot do (its strings stop at a NUL byte).
foreach(program IN ITEMS printf head dd sha256sum)
  string(TOUPPER "${program}" upper)
  find_program(${upper}_PROGRAM ${program} REQUIRED)
endforeach()

# ---------------------------------------------------------------------------------------------------
# expect(EXIT <status> [OUTPUT_MATCHES <regex>...] [ERROR_MATCHES <regex>...]
#        [OUTPUT_VARIABLE <var>] [INPUT_FILE <file>] [WORKING_DIRECTORY <dir>]
#        COMMAND <program> <arg>...)
#
# Runs the command (in WORK_DIR, stdin /dev/null unless given). Its exit status must be <status>; its
# standard output must match every OUTPUT_MATCHES regex and its standard error every ERROR_MATCHES regex
# (CMake regexes: ^ and $ anchor the whole text, not lines). At least one regex is required, so every
# case checks a message; "^$" asserts an empty stream.
function(expect)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "EXIT;OUTPUT_VARIABLE;INPUT_FILE;WORKING_DIRECTORY"
                        "OUTPUT_MATCHES;ERROR_MATCHES;COMMAND")
  if(NOT DEFINED arg_EXIT OR NOT arg_COMMAND OR arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "expect(): give EXIT and COMMAND (unparsed: ${arg_UNPARSED_ARGUMENTS})")
  endif()
  if(NOT DEFINED arg_OUTPUT_MATCHES AND NOT DEFINED arg_ERROR_MATCHES)
    message(FATAL_ERROR "expect(): give OUTPUT_MATCHES or ERROR_MATCHES")
  endif()
  if(NOT arg_INPUT_FILE)
    set(arg_INPUT_FILE /dev/null)
  endif()
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${WORK_DIR}")
  endif()

  execute_process(COMMAND ${arg_COMMAND}
                  WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
                  INPUT_FILE "${arg_INPUT_FILE}"
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 120)

  set(problems "")
  if(NOT "${status}" STREQUAL "${arg_EXIT}")
    list(APPEND problems "exit status ${status}, expected ${arg_EXIT}")
  endif()
  foreach(regex IN LISTS arg_OUTPUT_MATCHES)
    if(NOT out MATCHES "${regex}")
      list(APPEND problems "standard output does not match: ${regex}")
    endif()
  endforeach()
  foreach(regex IN LISTS arg_ERROR_MATCHES)
    if(NOT err MATCHES "${regex}")
      list(APPEND problems "standard error does not match: ${regex}")
    endif()
  endforeach()

  describe_command(shown ${arg_COMMAND})
  if(problems)
    list(JOIN problems "\n  " problems)
    message(SEND_ERROR "FAILED: ${shown}\n  ${problems}\n"
                       "--- standard output:\n${out}--- standard error:\n${err}---")
  else()
    message(STATUS "ok (exit ${status}): ${shown}")
  endif()
  if(arg_OUTPUT_VARIABLE)
    set(${arg_OUTPUT_VARIABLE} "${out}" PARENT_SCOPE)
  endif()
endfunction()

# The command line as a person would type it, shortened.
function(describe_command var)
  list(JOIN ARGN " " text)
  string(REPLACE "${TOOL}" "purgatory-tool" text "${text}")
  string(REPLACE "${WORK_DIR}/" "" text "${text}")
  if(DEFINED IMAGES_DIR)
    string(REPLACE "${IMAGES_DIR}/" "" text "${text}")
  endif()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

# expect_equal(<actual> <expected> <what>)
function(expect_equal actual expected what)
  if("${actual}" STREQUAL "${expected}")
    message(STATUS "ok: ${what} is ${expected}")
  else()
    message(SEND_ERROR "FAILED: ${what} is \"${actual}\", expected \"${expected}\"")
  endif()
endfunction()

# expect_not_equal(<actual> <unexpected> <what>)
function(expect_not_equal actual unexpected what)
  if("${actual}" STREQUAL "${unexpected}")
    message(SEND_ERROR "FAILED: ${what} is \"${actual}\", which it must not be")
  else()
    message(STATUS "ok: ${what} is not ${unexpected}")
  endif()
endfunction()

# expect_no_file(<path>...): none of the files exists.
function(expect_no_file)
  foreach(path IN LISTS ARGN)
    describe_command(shown "${path}")
    if(EXISTS "${path}")
      message(SEND_ERROR "FAILED: ${shown} exists, but nothing should have been written")
    endif()
  endforeach()
endfunction()

# expect_no_temporary_files(): nothing a write leaves behind while it works (".NAME.XXXXXX") is in the
# work directory.
function(expect_no_temporary_files)
  file(GLOB leftovers LIST_DIRECTORIES true "${WORK_DIR}/.*")
  if(leftovers)
    message(SEND_ERROR "FAILED: temporary files left behind: ${leftovers}")
  endif()
endfunction()

# ---------------------------------------------------------------------------------------------------
# The images under test. Each function fails the test if the file is missing.

function(require_file path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "missing ${path}: build the whole project (cmake --build) before running the tests")
  endif()
endfunction()

function(require_image_inputs)
  if(NOT DEFINED IMAGES_DIR OR NOT DEFINED CLANG_VERSION OR CLANG_VERSION STREQUAL "")
    message(FATAL_ERROR "IMAGES_DIR and CLANG_VERSION must be set")
  endif()
endfunction()

# purgatory_image(<var> <arch> elf|bin): the minimal example purgatory of <arch>.
function(purgatory_image var arch kind)
  require_image_inputs()
  set(path "${IMAGES_DIR}/${arch}-clang${CLANG_VERSION}/examples/minimal/purgatory.${kind}")
  require_file("${path}")
  set(${var} "${path}" PARENT_SCOPE)
endfunction()

# next_kernel_image(<var> <arch> elf|bin): the boot tests' stand-in kernel, a blob with no image header.
function(next_kernel_image var arch kind)
  require_image_inputs()
  set(path "${IMAGES_DIR}/${arch}-clang${CLANG_VERSION}/tools/purgatory-qemu/next-kernel.${kind}")
  require_file("${path}")
  set(${var} "${path}" PARENT_SCOPE)
endfunction()

# ---------------------------------------------------------------------------------------------------
# Bytes.

# write_bytes(<path> <hex>): a file holding exactly these bytes (NULs included), e.g. "00ff10".
function(write_bytes path hex)
  string(REGEX REPLACE "(..)" [[\\x\1]] format "${hex}")
  execute_process(COMMAND "${PRINTF_PROGRAM}" "${format}" OUTPUT_FILE "${path}" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "printf failed writing ${path}")
  endif()
endfunction()

# copy_prefix(<from> <to> <count>): the first <count> bytes of a file (or of /dev/zero, /dev/urandom).
function(copy_prefix from to count)
  execute_process(COMMAND "${HEAD_PROGRAM}" -c ${count} "${from}" OUTPUT_FILE "${to}" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "head failed writing ${to}")
  endif()
endfunction()

# write_zeros(<path> <count>)
function(write_zeros path count)
  copy_prefix(/dev/zero "${path}" ${count})
endfunction()

# concatenate(<to> <from>...)
function(concatenate to)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E cat ${ARGN} OUTPUT_FILE "${to}" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "cmake -E cat failed writing ${to}")
  endif()
endfunction()

# copy_patched(<from> <to> <offset> <hex>): a copy with the bytes at <offset> replaced.
function(copy_patched from to offset hex)
  math(EXPR offset "${offset}")
  file(COPY_FILE "${from}" "${to}")
  write_bytes("${to}.patch" "${hex}")
  execute_process(COMMAND "${DD_PROGRAM}" "if=${to}.patch" "of=${to}" bs=1 seek=${offset} conv=notrunc status=none
                  RESULT_VARIABLE status)
  file(REMOVE "${to}.patch")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "dd failed patching ${to}")
  endif()
endfunction()

# read_bytes(<var> <path> <offset> <count>): lower-case hex.
function(read_bytes var path offset count)
  math(EXPR offset "${offset}")
  file(READ "${path}" hex OFFSET ${offset} LIMIT ${count} HEX)
  set(${var} "${hex}" PARENT_SCOPE)
endfunction()

# encode(<var> <value> <width> little|big): the hex bytes of an unsigned integer as an image stores it.
function(encode var value width order)
  math(EXPR value "${value}" OUTPUT_FORMAT HEXADECIMAL)
  string(REGEX REPLACE "^0x" "" digits "${value}")
  math(EXPR pad "${width} * 2")
  string(LENGTH "${digits}" length)
  math(EXPR pad "${pad} - ${length}")
  string(REPEAT "0" ${pad} zeros)
  set(digits "${zeros}${digits}")
  if(order STREQUAL "little")
    string(REGEX MATCHALL ".." pairs "${digits}")
    list(REVERSE pairs)
    list(JOIN pairs "" digits)
  endif()
  string(TOLOWER "${digits}" digits)
  set(${var} "${digits}" PARENT_SCOPE)
endfunction()

# decode(<var> <hex> little|big): the unsigned integer (below 2^63) that bytes read by read_bytes hold.
function(decode var hex order)
  string(REGEX MATCHALL ".." pairs "${hex}")
  if(order STREQUAL "little")
    list(REVERSE pairs)
  endif()
  list(JOIN pairs "" digits)
  math(EXPR value "0x${digits}")
  set(${var} ${value} PARENT_SCOPE)
endfunction()

# byte_order_of(<var> <arch>): what the ABI says each arch's image uses.
function(byte_order_of var arch)
  if(arch STREQUAL "ppc64")
    set(${var} big PARENT_SCOPE)
  else()
    set(${var} little PARENT_SCOPE)
  endif()
endfunction()

# json_get(<var> <json> <member>...): a member of the tool's --json output; fails the test if absent. A
# JSON null reads as "null" (CMake's own reading of it is an empty string).
function(json_get var json)
  string(JSON type ERROR_VARIABLE error TYPE "${json}" ${ARGN})
  if(type STREQUAL "NULL")
    set(${var} "null" PARENT_SCOPE)
    return()
  endif()
  string(JSON value ERROR_VARIABLE error GET "${json}" ${ARGN})
  if(error)
    list(JOIN ARGN "." path)
    message(SEND_ERROR "FAILED: no ${path} in the JSON (${error}):\n${json}")
    set(value "")
  endif()
  set(${var} "${value}" PARENT_SCOPE)
endfunction()

# Runs the script's group; an unknown group is an error, not an empty pass.
macro(run_group)
  if(NOT COMMAND test_${GROUP})
    message(FATAL_ERROR "${CMAKE_CURRENT_LIST_FILE} has no group \"${GROUP}\"")
  endif()
  cmake_language(CALL test_${GROUP})
endmacro()
