# SPDX-License-Identifier: MIT
# kexec-loader's command line on the host (x86_64), with --dry-run: what it refuses before it reads
# anything large, and that it never crashes on a file it cannot read. Inputs: LOADER, PURGATORY (the
# x86_64 image), KERNEL (Debian's bzImage), WORK_DIR; SANITIZED for a kexec-loader built with ASan and
# UBSan (peak memory is then not held to the limits).
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
# A 256 MiB initrd is held once: read into its own size of memory (a pipe's in chunks, then joined), and
# moved into the plan, not copied. Both peaks were 542 MiB when it was copied and a pipe's buffer grew.
find_program(GNU_TIME_PROGRAM time PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
execute_process(COMMAND truncate -s 256M "${WORK_DIR}/initrd-256m.img" RESULT_VARIABLE made)
if(NOT made EQUAL 0)
  message(FATAL_ERROR "cannot make ${WORK_DIR}/initrd-256m.img")
endif()
function(expect_initrd_peak limit_kib how)
  if(SANITIZED)
    # ASan's allocator keeps freed memory in quarantine and adds redzones: the load must still work,
    # its peak is only shown (the native build's test holds it to the limit).
    set(limit_kib 4194304)
  endif()
  execute_process(${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULTS_VARIABLE results TIMEOUT 120)
  file(STRINGS "${WORK_DIR}/peak.txt" peak LIMIT_COUNT 1)
  if(NOT results MATCHES "^(0;)?0$" OR NOT out MATCHES "initrd +0x[0-9a-f]+ +268435456 bytes"
     OR NOT peak MATCHES "^[0-9]+$" OR NOT peak LESS limit_kib)
    message(SEND_ERROR "FAILED: a 256 MiB initrd ${how}: exit ${results}, peak ${peak} KiB (expected under "
                       "${limit_kib})\n${out}${err}")
  else()
    message(STATUS "ok: a 256 MiB initrd ${how}: peak ${peak} KiB")
  endif()
endfunction()
expect_initrd_peak(327680 "from a file"
  COMMAND "${GNU_TIME_PROGRAM}" -f %M -o "${WORK_DIR}/peak.txt" ${base} --initrd "${WORK_DIR}/initrd-256m.img")
expect_initrd_peak(409600 "from a pipe"
  COMMAND head -c 268435456 /dev/zero
  COMMAND "${GNU_TIME_PROGRAM}" -f %M -o "${WORK_DIR}/peak.txt" ${base} --initrd /dev/stdin)
file(REMOVE "${WORK_DIR}/initrd-256m.img")
# A command line longer than the kernel keeps (COMMAND_LINE_SIZE 2048, with its NUL).
string(REPEAT "x" 2048 long)
expect(2 "^kexec-loader: --append: 2048 bytes. the kernel keeps at most 2047.*\nRun 'kexec-loader --help'" ${base} --append "${long}")
# What cannot be carried out as asked is bad usage too (exit 2, as --help says), not a failed load.
expect(2 "^kexec-loader: --unload --dry-run: nothing to show\n" "${LOADER}" --unload --dry-run)
expect(2 "^kexec-loader: .*bogus.*\nRun 'kexec-loader --help'" ${base} --console bogus)
# A plan that does not reach its file is an error, not a success with the plan lost.
execute_process(COMMAND ${base} OUTPUT_FILE /dev/full ERROR_VARIABLE err RESULT_VARIABLE status)
if(status EQUAL 1 AND err MATCHES "^kexec-loader: cannot write to standard output: No space left on device\n$")
  message(STATUS "ok (exit 1): --dry-run to /dev/full")
else()
  message(SEND_ERROR "FAILED: --dry-run to /dev/full: exit ${status} (expected 1), standard error:\n${err}")
endif()
# Options a mode would ignore are refused, not ignored.
expect(2 "^kexec-loader: --find requires --describe-vmcore\n" ${base} --find marker)
expect(2 "^kexec-loader: --kernel excludes --status\n" "${LOADER}" --status --kernel "${KERNEL}")
expect(2 "^kexec-loader: --purgatory excludes --unload\n" "${LOADER}" --unload --purgatory "${PURGATORY}")
expect(2 "^kexec-loader: --status excludes --describe-vmcore\n" "${LOADER}" --describe-vmcore /proc/vmcore --status)
expect(2 "^kexec-loader: --dtb: is for arm64 and ppc64" ${base} --dtb /sys/firmware/fdt)
# An empty initrd is named as such (it used to be "placed" as an empty segment the seal then refused).
file(WRITE "${WORK_DIR}/empty.img" "")
expect(1 "^kexec-loader: initrd: .*empty\\.img is empty \\(leave --initrd out for none\\)\n$" ${base} --initrd "${WORK_DIR}/empty.img")
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

# --- Crash mode (kdump), planned against a made-up machine: its /proc/iomem, firmware map and sysfs.
set(fake ${WORK_DIR}/machine)
function(memmap_entry index start end type)
  file(WRITE ${fake}/memmap/${index}/start "${start}\n")
  file(WRITE ${fake}/memmap/${index}/end "${end}\n")
  file(WRITE ${fake}/memmap/${index}/type "${type}\n")
endfunction()
memmap_entry(0 0x0 0x9fbff "System RAM")
memmap_entry(1 0x100000 0xbffdffff "System RAM")
memmap_entry(2 0xbffe0000 0xbfffffff "Reserved")
set(ram "00001000-0009fbff : System RAM\n00100000-bffdffff : System RAM\n  01000000-01ffffff : Kernel code\n")
file(WRITE ${fake}/iomem-none "${ram}")
file(WRITE ${fake}/iomem-small "${ram}  a7000000-a73fffff : Crash kernel\n")
file(WRITE ${fake}/iomem "${ram}  a7000000-b6ffffff : Crash kernel\n")
foreach(cpu 0 1)
  file(WRITE ${fake}/sys/devices/system/cpu/cpu${cpu}/crash_notes "7fc${cpu}d000\n")
  file(WRITE ${fake}/sys/devices/system/cpu/cpu${cpu}/crash_notes_size "452\n")
endforeach()
file(WRITE ${fake}/sys/kernel/vmcoreinfo "1a2b000 1024\n")
set(crash ${base} --crash --firmware-memmap ${fake}/memmap --sys ${fake}/sys --kcore ${fake}/no-kcore)

# No reservation, or one too small: refused, with the sizes and what to do.
expect(1 "kexec-loader: --crash: no crash kernel memory is reserved \\(${fake}/iomem-none has no \"Crash kernel\" range\\): .*crashkernel=SIZE"
       ${crash} --iomem ${fake}/iomem-none)
expect(1 "kexec-loader: --crash: the crash kernel memory is 4194304 bytes \\(4 MiB\\) and the crash load needs at least [0-9]+ bytes"
       ${crash} --iomem ${fake}/iomem-small)
# A plan inside the reservation: the core header placed first, the command line cleaned and completed,
# reset on a mismatch by default.
expect(0 "purgatory .* \\(x86_64\\) at 0xa7[0-9a-f]+, entry 0xa7[0-9a-f]+\n.*kernel +0xa7[0-9a-f]+ .*boot-params +0xa7[0-9a-f]+ .*core-header +0xa7000000 +400 bytes\n.*crash kernel command line: console=ttyS0 irqpoll nr_cpus=1 reset_devices elfcorehdr=0xa7000000\n.*purgatory will reset"
       ${crash} --iomem ${fake}/iomem --append "crashkernel=256M console=ttyS0")
expect(0 "kexec-loader: note: .*no-kcore: cannot open.*; the dump's virtual addresses are left 0\n.*crash kernel command line: nr_cpus=2 irqpoll reset_devices elfcorehdr=0xa7000000\n.*purgatory will halt"
       ${crash} --iomem ${fake}/iomem --append "nr_cpus=2" --on-failure halt)
# A refusal from sealing names the plan's segments, since its numbers are sealing's own.
expect(1 "kexec-loader: sealing the purgatory: the console at 0xa7000010: segment [0-9] at 0xa7000000 .*overlap a segment \\(segments: 0 = [a-z-]+, 1 = [a-z-]+, 2 = core-header\\)"
       ${crash} --iomem ${fake}/iomem --console 8250-mmio,0xa7000010)
# A reservation above 4 GiB (crashkernel=...,high) is not for this loader on x86_64: said so.
file(WRITE ${fake}/iomem-high "${ram}100000000-23fffffff : System RAM\n  200000000-23fffffff : Crash kernel\n")
expect(1 "kexec-loader: --crash: the crash kernel memory starts at 0x200000000, above 4 GiB, .*without ,high" ${crash}
       --iomem ${fake}/iomem-high)
# A ,high reservation with its low part (crashkernel=...,high and ,low): the load goes in the low part.
file(WRITE ${fake}/iomem-high-and-low "${ram}  a7000000-b6ffffff : Crash kernel\n100000000-23fffffff : System RAM\n  200000000-23fffffff : Crash kernel\n")
expect(0 "purgatory .* \\(x86_64\\) at 0xa7[0-9a-f]+, .*kernel +0xa7[0-9a-f]+ .*core-header +0xa7000000 +[0-9]+ bytes\n"
       ${crash} --iomem ${fake}/iomem-high-and-low)
# A hand-made iomem whose reservation is not in RAM (here in the hole below 1 MiB) is refused, naming it.
file(WRITE ${fake}/iomem-outside-ram "${ram}  000a0000-000fffff : Crash kernel\n")
expect(1 "kexec-loader: --crash: the crash kernel memory \\[0xa0000, 0x100000\\) is not inside System RAM"
       ${crash} --iomem ${fake}/iomem-outside-ram)
# An iomem line that is no START-LAST : NAME is refused, naming the file and the line.
file(WRITE ${fake}/iomem-inverted "${ram}  ffffffffffffffff-0 : Crash kernel\n")
expect(1 "kexec-loader: .*iomem-inverted: line [0-9]+: \"ffffffffffffffff-0 : Crash kernel\" is not START-LAST : NAME"
       ${crash} --iomem ${fake}/iomem-inverted)
# The kdump options go before a "--", whose words are init's.
expect(0 "crash kernel command line: console=ttyS0 irqpoll nr_cpus=1 reset_devices elfcorehdr=0xa7000000 -- single\n"
       ${crash} --iomem ${fake}/iomem --append "console=ttyS0 -- single")
# No crash notes: a header the crash kernel could not use is not written.
file(MAKE_DIRECTORY ${fake}/sys-without-notes/devices/system/cpu/cpu0)
expect(1 "kexec-loader: --crash: the ELF core header: .*cpu shows no CPU's crash_notes" ${base} --crash --iomem ${fake}/iomem
       --firmware-memmap ${fake}/memmap --sys ${fake}/sys-without-notes)
expect(1 "kexec-loader: --crash: the ELF core header: .*/devices/system/cpu: No such file or directory" ${base} --crash
       --iomem ${fake}/iomem --firmware-memmap ${fake}/memmap --sys ${WORK_DIR}/nowhere)

# --status, as kexec-tools': 0 loaded, 1 not; --unload needs no files.
file(WRITE ${fake}/sys/kernel/kexec_crash_loaded "0\n")
file(WRITE ${fake}/sys/kernel/kexec_loaded "1\n")
expect(1 "^kexec-loader: crash kernel not loaded\n$" "${LOADER}" -p --status --sys ${fake}/sys)
expect(0 "^kexec-loader: kernel loaded\n$" "${LOADER}" --status --sys ${fake}/sys)
expect(1 "kexec-loader: .*kexec_loaded: unreadable" "${LOADER}" --status --sys ${WORK_DIR})
expect(2 "--unload excludes --status" "${LOADER}" --status --unload)
expect(2 "^kexec-loader: --purgatory and --kernel are required to load .*\nRun 'kexec-loader --help'"
       "${LOADER}" --kernel "${KERNEL}" --dry-run)
expect(0 "Modes:.*--crash .*--unload .*--status" "${LOADER}" --help)
