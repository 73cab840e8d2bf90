# SPDX-License-Identifier: MIT
# Packages the SDK from BUILD_DIR (cpack: DEB and TGZ), unpacks the .deb somewhere other than /usr (the
# prefix must be relocatable), then builds this directory's project against that alone, as a new user
# would: its custom purgatories, its host program, a plain C loader found through pkg-config. Then moves
# the prefix under the configured project, which must be told to reconfigure.
# Inputs: BUILD_DIR, SOURCE_DIR (this directory), WORK_DIR, CC (a C compiler).
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGN}\n${output}")
  endif()
  set(output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
foreach(generator IN ITEMS DEB TGZ)
  run(cpack --config ${BUILD_DIR}/CPackConfig.cmake -G ${generator} -B ${WORK_DIR}/packages)
endforeach()
file(GLOB deb ${WORK_DIR}/packages/*.deb)
file(GLOB tgz ${WORK_DIR}/packages/*.tar.gz)
list(LENGTH deb debs)
list(LENGTH tgz tgzs)
if(NOT debs EQUAL 1 OR NOT tgzs EQUAL 1)
  message(FATAL_ERROR "expected one .deb and one .tar.gz in ${WORK_DIR}/packages: ${deb} ${tgz}")
endif()

# The package: its control fields, and the same files as the tarball.
run(dpkg-deb --field ${deb} Package Version Depends)
if(NOT output MATCHES "Package: purgatory-sdk\nVersion: [0-9.]+\nDepends: libc6")
  message(FATAL_ERROR "unexpected control fields:\n${output}")
endif()
run(dpkg-deb --contents ${deb})
string(REGEX MATCHALL "\\./usr/[^\n]*[^/\n]\n" deb_files "${output}")
list(TRANSFORM deb_files REPLACE "^\\./usr/(.*)\n$" "\\1")
run(tar tzf ${tgz})
string(REGEX MATCHALL "[^\n]*[^/\n]\n" tgz_files "${output}")
list(TRANSFORM tgz_files REPLACE "^[^/]*/(.*)\n$" "\\1")
list(SORT deb_files)
list(SORT tgz_files)
if(NOT deb_files STREQUAL tgz_files)
  message(FATAL_ERROR "the .deb and the .tar.gz hold different files:\n${deb_files}\n---\n${tgz_files}")
endif()
foreach(file IN ITEMS bin/purgatory-tool bin/purgatory-qemu bin/kexec-loader share/man/man1/purgatory-tool.1
                      share/man/man1/purgatory-qemu.1 share/man/man1/kexec-loader.1 share/pkgconfig/purgatory-sdk.pc
                      share/doc/purgatory-sdk/copyright share/doc/purgatory-sdk/abi.md share/doc/purgatory-sdk/kdump.md
                      share/doc/purgatory-sdk/examples/custom/main.cc include/purgatory/abi.h)
  if(NOT file IN_LIST deb_files)
    message(FATAL_ERROR "the package lacks ${file}")
  endif()
endforeach()

run(dpkg-deb -x ${deb} ${WORK_DIR}/root)
set(prefix ${WORK_DIR}/root/usr)

# The man pages come from the programs' own help: every command is there.
file(READ ${prefix}/share/man/man1/purgatory-tool.1 page)
foreach(expected IN ITEMS ".SH COMMANDS" ".SS relocations" ".SS seal" "--load-address")
  string(FIND "${page}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "purgatory-tool.1 lacks \"${expected}\"")
  endif()
endforeach()

file(READ ${prefix}/share/man/man1/kexec-loader.1 page)
# (help2man writes each "-" of an option as "\-".)
foreach(expected IN ITEMS "Modes:" "\\-\\-crash" "\\-\\-unload" "\\-\\-status" "\\-\\-describe\\-vmcore")
  string(FIND "${page}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "kexec-loader.1 lacks \"${expected}\"")
  endif()
endforeach()

foreach(arch IN ITEMS x86_64 arm64 ppc64le ppc64)
  foreach(file IN ITEMS share/purgatory-sdk/${arch}/purgatory.elf share/purgatory-sdk/${arch}/purgatory.bin)
    run(${prefix}/bin/purgatory-tool check ${prefix}/${file})
  endforeach()
endforeach()

# The reference C loader, installed as source: a plain C99 program builds against it and the ABI header
# alone, found through pkg-config, strictly, and loads the installed x86_64 purgatory with it.
set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
run(pkg-config --cflags purgatory-sdk)
string(STRIP "${output}" cflags)
run(pkg-config --variable=c_loader_dir purgatory-sdk)
string(STRIP "${output}" c_loader)
if(NOT EXISTS ${c_loader}/purgatory_loader.c)
  message(FATAL_ERROR "pkg-config's c_loader_dir (${c_loader}) has no purgatory_loader.c")
endif()
run(${CC} -std=c99 -pedantic -Wall -Wextra -Werror ${cflags} -I${c_loader}
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

# The prefix moves under the configured project: reconfiguring says so, rather than failing later on a
# stale path.
file(RENAME ${WORK_DIR}/root ${WORK_DIR}/moved)
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/moved/usr
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
string(REGEX REPLACE "[ \n]+" " " flat "${output}")  # CMake wraps the message's lines
if(result EQUAL 0 OR NOT flat MATCHES "PurgatorySDK was at [^ ]*/root/usr when this build was configured and is now at [^ ]*/moved/usr: .* Reconfigure")
  message(FATAL_ERROR "reconfiguring after the prefix moved did not say to reconfigure (${result}):\n${output}")
endif()
message(STATUS "a moved prefix: told to reconfigure")
