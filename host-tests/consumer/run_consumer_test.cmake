# SPDX-License-Identifier: MIT
# Installs the SDK from BUILD_DIR, moves the prefix elsewhere (it must be relocatable), then
# configures and builds this directory's project against it as a new user would, runs its host program
# and checks its purgatories with the installed purgatory-tool.
# Inputs: BUILD_DIR, SOURCE_DIR (this directory), WORK_DIR, CC (a C compiler).
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGN}\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/staging)
file(RENAME ${WORK_DIR}/staging ${WORK_DIR}/prefix)
set(prefix ${WORK_DIR}/prefix)

foreach(arch IN ITEMS x86_64 arm64 ppc64le ppc64)
  foreach(file IN ITEMS share/purgatory-sdk/${arch}/purgatory.elf share/purgatory-sdk/${arch}/purgatory.bin)
    run(${prefix}/bin/purgatory-tool check ${prefix}/${file})
  endforeach()
endforeach()

# The reference C loader, installed as source: a plain C99 program builds against it and the installed
# ABI header alone, strictly, and loads the installed x86_64 purgatory with it.
set(c_loader ${prefix}/share/purgatory-sdk/c-loader)
run(${CC} -std=c99 -pedantic -Wall -Wextra -Werror -I${prefix}/include -I${c_loader}
    ${SOURCE_DIR}/c_loader_user.c ${c_loader}/purgatory_loader.c -o ${WORK_DIR}/c-loader-user)
run(${WORK_DIR}/c-loader-user ${prefix}/share/purgatory-sdk/x86_64/purgatory.bin)
message(STATUS "${output}")
if(NOT output MATCHES "^c loader: entry 0x1000080; for arm64: image is for another machine\n$")
  message(FATAL_ERROR "unexpected output from the C loader program: ${output}")
endif()

run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G Ninja -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/embedder)
message(STATUS "${output}")
if(NOT output MATCHES "embedded x86_64 purgatory")
  message(FATAL_ERROR "unexpected output from the embedding program: ${output}")
endif()
foreach(arch IN ITEMS x86_64 arm64 ppc64le ppc64)
  set(elf ${WORK_DIR}/build/stamp-${arch}-purgatory/build/stamp-${arch}.elf)
  run(${prefix}/bin/purgatory-tool check ${elf})
  message(STATUS "${output}")
  if(NOT output MATCHES "ok \\(${arch}, relocation-free\\)")
    message(FATAL_ERROR "stamp-${arch} is not a relocation-free ${arch} purgatory: ${output}")
  endif()
  # The user's own purgatory, booted with the installed purgatory-qemu (its stand-ins from the prefix):
  # its own line on the console, the next kernel started.
  run(${prefix}/bin/purgatory-qemu ${elf})
  if(NOT output MATCHES "stamp: verified, handing over\n.*next-kernel: done\n.*purgatory-qemu: verified")
    message(FATAL_ERROR "stamp-${arch} did not boot under the installed purgatory-qemu:\n${output}")
  endif()
  message(STATUS "stamp-${arch} booted under the installed purgatory-qemu")
endforeach()
