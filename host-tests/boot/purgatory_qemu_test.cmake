# SPDX-License-Identifier: MIT
# purgatory-qemu, as a user runs it on an image of any arch: the console shown, the verdict as the exit
# status. Inputs: QEMU_TOOL (the program), IMAGES_DIR (the purgatory sub-builds' parent), CLANG_VERSION,
# WORK_DIR.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/../common/require_inputs.cmake)
require_inputs(QEMU_TOOL IMAGES_DIR CLANG_VERSION WORK_DIR)
file(MAKE_DIRECTORY "${WORK_DIR}")

function(expect status)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "OUTPUT_MATCHES;ERROR_MATCHES;COMMAND")
  execute_process(COMMAND ${arg_COMMAND} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
  set(problems "")
  if(NOT "${result}" STREQUAL "${status}")
    list(APPEND problems "exit status ${result}, expected ${status}")
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
  list(JOIN arg_COMMAND " " shown)
  if(problems)
    message(SEND_ERROR "FAILED: ${shown}\n  ${problems}\n--- standard output:\n${out}--- standard error:\n${err}")
  else()
    message(STATUS "ok (exit ${result}): ${shown}")
  endif()
endfunction()

foreach(arch IN ITEMS x86_64 arm64 ppc64le ppc64)
  set(dir "${IMAGES_DIR}/${arch}-clang${CLANG_VERSION}")
  # The default purgatory, flat: verified, the stand-in next kernel reports its registers.
  expect(0 COMMAND "${QEMU_TOOL}" "${dir}/examples/minimal/purgatory.bin"
         OUTPUT_MATCHES "purgatory-sdk [^\n]* \\(${arch}\\): 2 segments to verify\n" "purgatory: SHA-256 ok: 2 segments"
                        "next-kernel: done"
         ERROR_MATCHES "^purgatory-qemu: verified: the next kernel started")
  # A custom one, as its ELF, with a user word: its own step shows on the console.
  expect(0 COMMAND "${QEMU_TOOL}" "${dir}/examples/custom/custom-purgatory.elf" --user 1=0
         OUTPUT_MATCHES "purgatory: SHA-256 ok" "next-kernel: done")
  # One bit flipped: refused, halted.
  expect(1 COMMAND "${QEMU_TOOL}" "${dir}/examples/minimal/purgatory.bin" --corrupt
         OUTPUT_MATCHES "purgatory: SHA-256 MISMATCH in segment 1 " "not booting the next kernel. halted"
         ERROR_MATCHES "^purgatory-qemu: refused: the purgatory halted")
endforeach()
# Resetting instead, and a segment of the user's own, on one arch.
set(x86 "${IMAGES_DIR}/x86_64-clang${CLANG_VERSION}/examples/minimal/purgatory.bin")
file(WRITE "${WORK_DIR}/mine.bin" "my own segment\n")
# (The image after --segment: each --segment takes one value, so the image is not taken as a second.)
expect(1 COMMAND "${QEMU_TOOL}" --segment "0x5000000:${WORK_DIR}/mine.bin" "${x86}" --corrupt --on-failure reset
       OUTPUT_MATCHES "MISMATCH in segment 1 \\(0x5000000, 15 bytes" "not booting the next kernel. resetting"
       ERROR_MATCHES "refused: the purgatory reset the machine")
# What it cannot boot: status 2, said why.
expect(2 COMMAND "${QEMU_TOOL}" "${WORK_DIR}/mine.bin"
       ERROR_MATCHES "^purgatory-qemu: .*mine\\.bin: not a purgatory image")
expect(2 COMMAND "${QEMU_TOOL}" "${x86}" --segment "0x1234000:${WORK_DIR}/mine.bin"
       ERROR_MATCHES "^purgatory-qemu: cannot seal .*overlaps the purgatory's own memory")
expect(2 COMMAND "${QEMU_TOOL}" ERROR_MATCHES "^purgatory-qemu: IMAGE is required")
foreach(timeout IN ITEMS 0 -5 nan 1e9)
  expect(2 COMMAND "${QEMU_TOOL}" "${x86}" --timeout ${timeout}
         ERROR_MATCHES "^purgatory-qemu: --timeout [^:]*: give seconds, more than 0 and at most 86400\n$")
endforeach()
expect(2 COMMAND "${QEMU_TOOL}" "${x86}" --segment 0x5000000:/dev/zero
       ERROR_MATCHES "^purgatory-qemu: /dev/zero: larger than the 1.0 GiB this accepts")
file(MAKE_DIRECTORY "${WORK_DIR}/no-bootstrap/x86_64")
file(WRITE "${WORK_DIR}/no-bootstrap/x86_64/next-kernel.bin" "stand-in")
expect(2 COMMAND "${QEMU_TOOL}" "${x86}" --stand-ins "${WORK_DIR}/no-bootstrap"
       ERROR_MATCHES "x86-bootstrap\\.bin: not there \\(the x86_64 bootstrap: see --stand-ins\\)")
# QEMU's max x86 CPU (SSSE3 and BMI2, no SHA-NI): the purgatory's ssse3+bmi2 engine; an x86_64 option only.
expect(0 COMMAND "${QEMU_TOOL}" "${x86}" --cpu-max
       OUTPUT_MATCHES "purgatory: SHA-256 ok: 2 segments, [0-9]+ bytes \\(ssse3\\+bmi2\\)" "next-kernel: done")
expect(2 COMMAND "${QEMU_TOOL}" "${IMAGES_DIR}/arm64-clang${CLANG_VERSION}/examples/minimal/purgatory.bin" --cpu-max
       ERROR_MATCHES "^purgatory-qemu: --cpu-max is for x86_64 images")
expect(0 COMMAND "${QEMU_TOOL}" --help OUTPUT_MATCHES "Exit status: 0 verified" "--corrupt" "--stand-ins" "--cpu-max")
# Stopped by a signal (Ctrl-C, kill): QEMU is stopped, the temporary files go, the exit status says which
# signal. A stand-in QEMU that only waits keeps the run going until the signal comes. (env: a shell
# without job control starts background jobs with SIGINT ignored, and an ignored signal stays ignored.)
set(signal_dir "${WORK_DIR}/signal")
file(REMOVE_RECURSE "${signal_dir}")
file(MAKE_DIRECTORY "${signal_dir}/bin" "${signal_dir}/tmp")
file(WRITE "${signal_dir}/bin/qemu-system-x86_64" "#!/bin/sh\necho stand-in emulator started\nexec sleep 60\n")
file(CHMOD "${signal_dir}/bin/qemu-system-x86_64" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
foreach(signal_name IN ITEMS TERM INT HUP)
  execute_process(
    COMMAND sh -c "PATH='${signal_dir}/bin':$PATH TMPDIR='${signal_dir}/tmp' env --default-signal=HUP,INT,TERM '${QEMU_TOOL}' '${x86}' --timeout 60 &
                   tool=$!; sleep 2; kill -${signal_name} $tool; wait $tool; echo \"status $?\"; ls -A '${signal_dir}/tmp'"
    OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30 RESULT_VARIABLE result)
  set(expected_status_TERM 143)
  set(expected_status_INT 130)
  set(expected_status_HUP 129)
  set(expected_status ${expected_status_${signal_name}})
  math(EXPR expected_status_${signal_name}_number "${expected_status} - 128")
  set(signal_name_TERM Terminated)
  set(signal_name_INT Interrupt)
  set(signal_name_HUP Hangup)
  if(NOT result EQUAL 0 OR NOT out MATCHES "stand-in emulator started\n+status ${expected_status}\n$"
     OR NOT err MATCHES "purgatory-qemu: stopped by signal ${expected_status_${signal_name}_number} \\(${signal_name_${signal_name}}\\) after")
    message(SEND_ERROR "FAILED: purgatory-qemu stopped by SIG${signal_name}: expected status ${expected_status}, "
                       "no files left in TMPDIR and a message\n--- standard output:\n${out}--- standard error:\n${err}")
  else()
    message(STATUS "ok: purgatory-qemu stopped by SIG${signal_name} cleans up")
  endif()
endforeach()
