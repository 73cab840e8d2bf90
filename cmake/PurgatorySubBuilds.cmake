# SPDX-License-Identifier: MIT
# The purgatories: the native build drives this source tree once per arch and clang, configured with
# toolchains/<arch>.cmake, as purgatory/<arch>-clang<N> (ExternalProject). With the tests on, each one
# also builds its test images and registers its tests, which join this build's ctest run.
include(ExternalProject)

# Each clang must be there before anything is configured with it.
foreach(version IN LISTS PURGATORY_CLANG_VERSIONS)
  foreach(tool IN ITEMS clang ld.lld llvm-objcopy)
    find_program(PURGATORY_CLANG${version}_${tool} NAMES ${tool} PATHS /usr/lib/llvm-${version}/bin NO_DEFAULT_PATH)
    find_program(PURGATORY_CLANG${version}_${tool} NAMES ${tool}-${version})
    if(NOT PURGATORY_CLANG${version}_${tool})
      message(FATAL_ERROR "${tool} ${version} not found, which PURGATORY_CLANG_VERSIONS (${PURGATORY_CLANG_VERSIONS}) "
                          "asks for: install the Debian packages clang-${version} lld-${version} llvm-${version} "
                          "(scripts/setup.sh does), or choose other versions")
    endif()
  endforeach()
endforeach()

set(PURGATORY_SUB_BUILD_DIRS "")
set(sub_build_common_args -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DPURGATORY_BUILD_TESTS=${PURGATORY_BUILD_TESTS})
set(test_driver_args "")
set(test_driver_targets "")
if(PURGATORY_BUILD_TESTS)
  set(test_driver_args -DPURGATORY_BOOT_TEST=$<TARGET_FILE:purgatory-boot-test>)
  set(test_driver_targets purgatory-boot-test)
endif()

list(GET PURGATORY_CLANG_VERSIONS 0 first_clang)
foreach(version IN LISTS PURGATORY_CLANG_VERSIONS)
  foreach(arch IN LISTS PURGATORY_ARCHES)
    set(dir ${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${version})
    # The first compiler's stand-ins are the build tree's purgatory-qemu's (tools/purgatory-qemu).
    set(stand_in_dir "")
    if(version STREQUAL first_clang)
      set(stand_in_dir ${PROJECT_BINARY_DIR}/share/purgatory-sdk/${arch})
    endif()
    ExternalProject_Add(purgatory-${arch}-clang${version}
      SOURCE_DIR ${PROJECT_SOURCE_DIR}
      BINARY_DIR ${dir}
      CMAKE_ARGS ${sub_build_common_args}
                 -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/toolchains/${arch}.cmake
                 -DPURGATORY_CLANG_VERSION=${version}
                 -DPURGATORY_TOOL=$<TARGET_FILE:purgatory-tool>
                 ${test_driver_args}
                 -DPURGATORY_QEMU_STAND_IN_DIR=${stand_in_dir}
                 # The install layout is the native build's (cmake/PurgatoryInstall.cmake installs them).
                 -DCMAKE_INSTALL_LIBDIR=${CMAKE_INSTALL_LIBDIR} -DCMAKE_INSTALL_INCLUDEDIR=${CMAKE_INSTALL_INCLUDEDIR}
                 -DCMAKE_INSTALL_DATADIR=${CMAKE_INSTALL_DATADIR}
      BUILD_ALWAYS ON
      INSTALL_COMMAND ""
      DEPENDS purgatory-tool ${test_driver_targets})
    list(APPEND PURGATORY_SUB_BUILD_DIRS ${dir})
  endforeach()
endforeach()

# What scripts/build-and-boot builds and runs (scripts/boot-table): the tool that shows the images, the
# boot runner and its stand-ins, and every purgatory. Nothing else of the build: not the tests, not
# kexec-loader.
set(purgatory_sub_build_targets "")
foreach(version IN LISTS PURGATORY_CLANG_VERSIONS)
  foreach(arch IN LISTS PURGATORY_ARCHES)
    list(APPEND purgatory_sub_build_targets purgatory-${arch}-clang${version})
  endforeach()
endforeach()
add_custom_target(main-job DEPENDS purgatory-tool purgatory-qemu ${purgatory_sub_build_targets})
