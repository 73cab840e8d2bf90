# SPDX-License-Identifier: MIT
# Building from clean twice gives byte-identical images: configures and builds a fresh purgatory build
# of ARCH in WORK_DIR (another path than the reference build's) and compares every image, ELF and flat,
# with REFERENCE_DIR's.
# Inputs: SOURCE_DIR, WORK_DIR, REFERENCE_DIR, ARCH, CLANG_VERSION, PURGATORY_TOOL.
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -G Ninja
          -DCMAKE_TOOLCHAIN_FILE=${SOURCE_DIR}/toolchains/${ARCH}.cmake
          -DPURGATORY_CLANG_VERSION=${CLANG_VERSION} -DPURGATORY_TOOL=${PURGATORY_TOOL}
  OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE result)
if(result EQUAL 0)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}
                  OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE result)
endif()
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the second build failed:\n${output}")
endif()

set(compared 0)
foreach(image IN ITEMS examples/minimal/purgatory examples/custom/custom-purgatory tools/purgatory-qemu/next-kernel)
  foreach(suffix IN ITEMS .elf .bin)
    set(reference ${REFERENCE_DIR}/${image}${suffix})
    set(rebuilt ${WORK_DIR}/${image}${suffix})
    if(NOT EXISTS ${reference} OR NOT EXISTS ${rebuilt})
      message(FATAL_ERROR "missing ${reference} or ${rebuilt}")
    endif()
    file(SHA256 ${reference} reference_digest)
    file(SHA256 ${rebuilt} rebuilt_digest)
    if(NOT reference_digest STREQUAL rebuilt_digest)
      message(FATAL_ERROR "${image}${suffix} differs between two clean builds")
    endif()
    math(EXPR compared "${compared} + 1")
  endforeach()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
message(STATUS "${ARCH}: ${compared} files byte-identical across two clean builds")
