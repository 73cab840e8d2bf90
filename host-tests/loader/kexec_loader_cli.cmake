# SPDX-License-Identifier: MIT
# kexec-loader's command line on the host (x86_64), with --dry-run: what it refuses before it reads
# anything large, and that it never crashes on a file it cannot read. Inputs: LOADER, PURGATORY (the
# x86_64 image), KERNEL (Debian's bzImage), WORK_DIR.
cmake_minimum_required(VERSION 3.25)
foreach(input IN ITEMS LOADER PURGATORY PURGATORY_ARM64 KERNEL)
  if(NOT DEFINED ${input} OR NOT EXISTS "${${input}}")
    message(FATAL_ERROR "${input} (${${input}}) is missing: build the project and run scripts/setup.sh")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(expect status regex)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
  list(JOIN ARGN " " shown)
  string(SUBSTRING "${shown}" 0 160 shown)
  if(NOT "${result}" STREQUAL "${status}" OR NOT "${out}${err}" MATCHES "${regex}")
    message(SEND_ERROR "FAILED: ${shown}\n  status ${result} (expected ${status}), output must match ${regex}\n${out}${err}")
  else()
    message(STATUS "ok (exit ${result}): ${shown}")
  endif()
endfunction()

set(base "${LOADER}" --purgatory "${PURGATORY}" --kernel "${KERNEL}" --dry-run)
expect(0 "--purgatory.*--kernel.*--crash|--purgatory.*--kernel" "${LOADER}" --help)
expect(2 "^kexec-loader: .*\nRun 'kexec-loader --help'" "${LOADER}" --frobnicate)
# A plan, printed: the purgatory, the segments, the entry.
file(WRITE "${WORK_DIR}/initrd.img" "a small initrd\n")
expect(0 "kexec-loader: purgatory .* \\(x86_64\\) at 0x[0-9a-f]+, entry 0x[0-9a-f]+\n.*kernel .*initrd .*boot-params"
       ${base} --initrd "${WORK_DIR}/initrd.img" --append "console=ttyS0")
# A command line longer than the kernel keeps (COMMAND_LINE_SIZE 2048, with its NUL).
string(REPEAT "x" 2048 long)
expect(1 "kexec-loader: --append: 2048 bytes. the kernel keeps at most 2047" ${base} --append "${long}")
# A 6 TiB initrd is refused from its size, before a byte is read (it is sparse: reading it would take
# hours and more memory than the machine has).
file(TOUCH "${WORK_DIR}/huge.img")
execute_process(COMMAND truncate -s 6T "${WORK_DIR}/huge.img" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "truncate could not make a sparse 6 TiB file")
endif()
expect(1 "kexec-loader: initrd: .*huge\\.img is 6597069766656 bytes, more than the largest RAM range" ${base}
       --initrd "${WORK_DIR}/huge.img")
# Files that cannot be read are errors naming them, never a crash.
expect(1 "kexec-loader: kernel: /proc/self/mem: read error" "${LOADER}" --purgatory "${PURGATORY}"
       --kernel /proc/self/mem --dry-run)
expect(1 "kexec-loader: initrd: .*: is a directory" ${base} --initrd "${WORK_DIR}")
expect(1 "kexec-loader: purgatory: .*missing\\.bin: cannot open" "${LOADER}" --purgatory "${WORK_DIR}/missing.bin"
       --kernel "${KERNEL}" --dry-run)
# An image for another arch is refused with both named.
expect(1 "kexec-loader: purgatory .* is for arm64, this machine is x86_64" "${LOADER}" --purgatory "${PURGATORY_ARM64}"
       --kernel "${KERNEL}" --dry-run)
