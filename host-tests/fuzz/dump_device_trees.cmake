# SPDX-License-Identifier: MIT
# Seeds for the device tree fuzzer (included by run_fuzzer.cmake with CORPUS set): the trees QEMU gives
# the arm64 virt machine and the ppc64 pseries machine (with hot-pluggable memory slots), as the system
# tests start them.
foreach(machine IN ITEMS "aarch64|virt|-cpu;cortex-a57;-m;1G" "ppc64|pseries|-cpu;power9;-m;2G,slots=1,maxmem=3G")
  string(REPLACE "|" ";" machine "${machine}")
  list(GET machine 0 qemu_arch)
  list(GET machine 1 board)
  list(SUBLIST machine 2 -1 options)
  find_program(qemu_${qemu_arch} qemu-system-${qemu_arch} NO_CACHE)
  set(qemu "${qemu_${qemu_arch}}")
  if(NOT qemu)
    message(FATAL_ERROR "qemu-system-${qemu_arch} not found: run scripts/setup.sh")
  endif()
  execute_process(COMMAND ${qemu} -M ${board},dumpdtb=${CORPUS}/seed-${board}.dtb ${options} -smp 2 -nographic
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE error TIMEOUT 60)
  if(NOT status EQUAL 0 OR NOT EXISTS ${CORPUS}/seed-${board}.dtb)
    message(FATAL_ERROR "qemu-system-${qemu_arch} -M ${board} did not dump its device tree (${status}):\n${error}")
  endif()
endforeach()
