# SPDX-License-Identifier: MIT
# `cmake --install` of the native build: a relocatable prefix with
#   bin/purgatory-tool, bin/purgatory-qemu, bin/kexec-loader (static)
#   include/purgatory/...                       the ABI header, runtime headers, host library headers
#   include/purgatory-sdk/<arch>/purgatory/arch the arch headers, per arch
#   lib/libpurgatory_host.a
#   lib/purgatory-sdk/<arch>/                   what a custom purgatory links, per arch
#   lib/cmake/PurgatorySDK/                     find_package(PurgatorySDK CONFIG)
#   share/pkgconfig/purgatory-sdk.pc            the ABI header's include path for C loaders
#   share/man/man1/                             purgatory-tool, purgatory-qemu, kexec-loader (help2man)
#   share/doc/purgatory-sdk/                    README, LICENSE, docs/*.md, examples/ (sources)
#   share/purgatory-sdk/toolchains, linker-scripts, <arch>/flags.cmake
#   share/purgatory-sdk/<arch>/purgatory.elf and .bin, the prebuilt default purgatory, and what
#                                               purgatory-qemu runs beside it (next-kernel.bin; x86_64:
#                                               x86-bootstrap.bin)
#   share/purgatory-sdk/c-loader/               the reference loader in C99, to build into a loader
# The per-arch parts come from the purgatory sub-builds of the first compiler in
# PURGATORY_CLANG_VERSIONS.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/PurgatorySDK)
set(data_dir ${CMAKE_INSTALL_DATADIR}/purgatory-sdk)

install(TARGETS purgatory-tool purgatory-qemu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET kexec-loader)
  install(TARGETS kexec-loader RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS purgatory_host EXPORT PurgatorySDKTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT PurgatorySDKTargets NAMESPACE PurgatorySDK:: DESTINATION ${package_dir})

install(DIRECTORY runtime/include/purgatory host/include/purgatory sha256/portable/include/purgatory
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES runtime/libstdcxx-compat/features.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/purgatory-sdk/libstdcxx-compat)
install(FILES toolchains/purgatory-common.cmake toolchains/x86_64.cmake toolchains/arm64.cmake
              toolchains/ppc64le.cmake toolchains/ppc64.cmake
        DESTINATION ${data_dir}/toolchains)
install(FILES linker-scripts/purgatory.ld DESTINATION ${data_dir}/linker-scripts)
install(FILES examples/c-loader/purgatory_loader.c examples/c-loader/purgatory_loader.h
        DESTINATION ${data_dir}/c-loader)
# The package file and the pkg-config file find the prefix relative to where they are: it may be moved.
file(RELATIVE_PATH PURGATORY_SDK_PREFIX_FROM_PACKAGE /prefix/${package_dir} /prefix)
configure_file(cmake/PurgatorySDKConfig.cmake.in ${PROJECT_BINARY_DIR}/PurgatorySDKConfig.cmake @ONLY)
file(RELATIVE_PATH PURGATORY_SDK_PREFIX_FROM_PKGCONFIG /prefix/${CMAKE_INSTALL_DATADIR}/pkgconfig /prefix)
configure_file(cmake/purgatory-sdk.pc.in ${PROJECT_BINARY_DIR}/purgatory-sdk.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/purgatory-sdk.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)

set(doc_dir ${CMAKE_INSTALL_DATADIR}/doc/purgatory-sdk)
install(FILES README.md LICENSE docs/abi.md docs/loaders.md docs/performance.md docs/purgatory-tool.md
              docs/building.md docs/kdump.md
        DESTINATION ${doc_dir})
install(FILES LICENSE DESTINATION ${doc_dir} RENAME copyright)  # where Debian looks for it
install(DIRECTORY examples/minimal examples/custom examples/c-loader DESTINATION ${doc_dir}/examples)

include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryManPages.cmake)
purgatory_man_page(purgatory-tool DESCRIPTION "inspect, check, seal and embed kexec purgatory images"
                   COMMANDS inspect check seal embed digest sha256 relocations)
purgatory_man_page(purgatory-qemu DESCRIPTION "boot a kexec purgatory image under QEMU and report its verdict")
if(TARGET kexec-loader)
  purgatory_man_page(kexec-loader DESCRIPTION "load an SDK purgatory and the next kernel with kexec_load(2)")
endif()

install(FILES ${PROJECT_BINARY_DIR}/PurgatorySDKConfig.cmake cmake/PurgatoryFlags.cmake cmake/PurgatoryExecutable.cmake
              cmake/PurgatoryLink.cmake cmake/PurgatoryIgnoreHostFlags.cmake cmake/PurgatoryHostFunctions.cmake
        DESTINATION ${package_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/PurgatorySDKConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/PurgatorySDKConfigVersion.cmake DESTINATION ${package_dir})

list(GET PURGATORY_CLANG_VERSIONS 0 installed_clang)
foreach(arch IN LISTS PURGATORY_ARCHES)
  set(sub_build ${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${installed_clang})
  install(CODE "
    execute_process(COMMAND \"${CMAKE_COMMAND}\" --install \"${sub_build}\" --prefix \"\${CMAKE_INSTALL_PREFIX}\"
                    RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
      message(FATAL_ERROR \"installing the ${arch} purgatory parts from ${sub_build} failed\")
    endif()")
endforeach()
include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryPackage.cmake)
