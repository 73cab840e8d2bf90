# SPDX-License-Identifier: MIT
# The test-only sub-builds, and the tests that span sub-builds:
#   cross-tests/<arch>  the digest tests as <arch> programs under qemu-user (toolchains/linux-<arch>.cmake)
#   sanitize            the host parts with ASan and UBSan, and the fuzzers
# Their tests join this build's ctest run, as the purgatory sub-builds' do.
set(sub_build_dirs ${PURGATORY_SUB_BUILD_DIRS})
# These build the host parts again, so they batch sources as this build does (CMAKE_UNITY_BUILD): parsing
# CLI11's, {fmt}'s and Catch2's headers is most of their compile time. The purgatory sub-builds do not
# inherit it: an image must not depend on how its sources were batched.
set(test_sub_build_args ${sub_build_common_args} -DCMAKE_UNITY_BUILD=${CMAKE_UNITY_BUILD})
# The cross builds take this build's type and its flags (the default preset: -O2 without debug info).
string(TOUPPER "${CMAKE_BUILD_TYPE}" build_type_upper)

if(PURGATORY_BUILD_CROSS_TESTS)
  purgatory_require_program(PURGATORY_QEMU_AARCH64_STATIC qemu-aarch64-static qemu-user-static)
  set(PURGATORY_CROSS_TEST_ARCHES arm64 ppc64le ppc64 CACHE STRING
      "arches whose digest tests are cross-built and run under qemu-user")
  # The cross builds of the arches a Debian kernel kexecs from in the system tests also build
  # kexec-loader, with the arch's libfdt from scripts/fetch-test-kernels.sh.
  set(kexec_loader_cross_arches "")
  if(PURGATORY_BUILD_SYSTEM_TESTS)
    set(kexec_loader_cross_arches arm64 ppc64le)
  endif()
  foreach(arch IN LISTS PURGATORY_CROSS_TEST_ARCHES)
    set(dir ${PROJECT_BINARY_DIR}/cross-tests/${arch})
    set(loader_args "")
    set(byproducts "")
    if(arch IN_LIST kexec_loader_cross_arches)
      # Declared, so that what is built from the loader (the system tests' initramfs) waits for it.
      set(byproducts BUILD_BYPRODUCTS ${PROJECT_BINARY_DIR}/kexec-loader/${arch}/kexec-loader)
      set(loader_args -DPURGATORY_BUILD_KEXEC_LOADER=ON
                      -DPURGATORY_LIBFDT_DIR=${PURGATORY_TEST_DOWNLOADS}/${arch}/libfdt
                      -DPURGATORY_KEXEC_LOADER_OUTPUT_DIR=${PROJECT_BINARY_DIR}/kexec-loader/${arch})
    endif()
    ExternalProject_Add(cross-tests-${arch}
      SOURCE_DIR ${PROJECT_SOURCE_DIR}
      BINARY_DIR ${dir}
      CMAKE_ARGS ${test_sub_build_args}
                 -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/toolchains/linux-${arch}.cmake
                 -DPURGATORY_TEST_ARCH=${arch}
                 -DCatch2_DIR=${Catch2_DIR}
                 -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
                 "-DCMAKE_C_FLAGS_${build_type_upper}=${CMAKE_C_FLAGS_${build_type_upper}}"
                 "-DCMAKE_CXX_FLAGS_${build_type_upper}=${CMAKE_CXX_FLAGS_${build_type_upper}}"
                 ${loader_args}
      ${byproducts}
      BUILD_ALWAYS ON
      INSTALL_COMMAND "")
    list(APPEND sub_build_dirs ${dir})
  endforeach()
endif()

if(PURGATORY_BUILD_SANITIZED_TESTS)
  # The host parts again, with clang, ASan and UBSan, and the fuzzers, seeded with real images.
  set(dir ${PROJECT_BINARY_DIR}/sanitize)
  set(fuzz_seeds "")
  foreach(arch IN LISTS PURGATORY_ARCHES)
    set(seed_dir ${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${first_clang}/examples/minimal)
    list(APPEND fuzz_seeds ${seed_dir}/purgatory.bin ${seed_dir}/purgatory.elf
                           ${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${first_clang}/runtime/libpurgatory_runtime.a)
  endforeach()
  list(JOIN fuzz_seeds "|" fuzz_seeds_argument)
  ExternalProject_Add(sanitize
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${dir}
    LIST_SEPARATOR "|"
    CMAKE_ARGS ${test_sub_build_args}
               -DPURGATORY_SANITIZE=ON
               # -O1 with line tables: a sanitizer report still names file and line. Its compiles take
               # about twice as long as at -O0, but the sanitized tests run in half the time and the
               # fuzzers try four times as many inputs in theirs (measured 2026-12-07).
               -DCMAKE_BUILD_TYPE=Debug
               "-DCMAKE_C_FLAGS_DEBUG=-O1 -gline-tables-only"
               "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only"
               -DCMAKE_C_COMPILER=${PURGATORY_CLANG${first_clang}_clang}
               -DCMAKE_CXX_COMPILER=${PURGATORY_CLANG${first_clang}_clang}++
               -DPURGATORY_CLANG_VERSIONS=${first_clang}
               -DPURGATORY_FUZZ_SEEDS=${fuzz_seeds_argument}
    BUILD_ALWAYS ON
    INSTALL_COMMAND "")
  list(APPEND sub_build_dirs ${dir})
endif()

# ctest descends into each sub-build. A sub-build that has not been built yet would contribute no tests
# and go unnoticed, so a test of its own checks that every one is there.
set(include_file ${PROJECT_BINARY_DIR}/sub-build-tests.cmake)
list(JOIN sub_build_dirs "\" \"" quoted_dirs)
file(GENERATE OUTPUT ${include_file} CONTENT "subdirs(\"${quoted_dirs}\")\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})

add_test(NAME sub-builds.all-present
         COMMAND ${CMAKE_COMMAND} "-DDIRS=${sub_build_dirs}" -P ${CMAKE_CURRENT_LIST_DIR}/CheckSubBuilds.cmake)

# Two clean builds give byte-identical images (one clang: both are built the same way).
foreach(arch IN LISTS PURGATORY_ARCHES)
  add_test(NAME ${arch}.clang${first_clang}.reproducible
           COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${PROJECT_BINARY_DIR}/reproducibility-test/${arch} -DARCH=${arch}
                   -DREFERENCE_DIR=${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${first_clang}
                   -DCLANG_VERSION=${first_clang} -DPURGATORY_TOOL=$<TARGET_FILE:purgatory-tool>
                   -P ${PROJECT_SOURCE_DIR}/linker-scripts/tests/reproducible_build.cmake)
endforeach()

# Each image carries its own arch's block rules only (seal_rules.h).
foreach(arch IN LISTS PURGATORY_ARCHES)
  add_test(NAME ${arch}.clang${first_clang}.own-arch-rules-only
           COMMAND ${CMAKE_COMMAND} -DARCH=${arch}
                   -DIMAGE=${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${first_clang}/examples/minimal/purgatory.bin
                   -P ${PROJECT_SOURCE_DIR}/host-tests/images/own_arch_rules_test.cmake)
endforeach()

# Each default image within its arch's size budget, with every compiler (docs/performance.md, "Image
# sizes": the 12 KiB target waits on a decision; these hold the sizes of December 2026 until then).
set(image_budget_x86_64 19456)   # 19 KiB
set(image_budget_arm64 17408)    # 17 KiB
set(image_budget_ppc64le 19456)
set(image_budget_ppc64 19456)
foreach(arch IN LISTS PURGATORY_ARCHES)
  foreach(version IN LISTS PURGATORY_CLANG_VERSIONS)
    add_test(NAME ${arch}.clang${version}.image-size-budget
             COMMAND ${CMAKE_COMMAND} -DBUDGET=${image_budget_${arch}}
                     -DIMAGE=${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${version}/examples/minimal/purgatory.bin
                     -P ${PROJECT_SOURCE_DIR}/host-tests/images/size_budget_test.cmake)
  endforeach()
endforeach()

# Hardening flags in the environment must not reach a purgatory (one clang is enough: the mechanism is
# CMake's, not the compiler's).
foreach(arch IN LISTS PURGATORY_ARCHES)
  add_test(NAME ${arch}.clang${first_clang}.hardening-flags-ignored
           COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${PROJECT_BINARY_DIR}/hardening-test/${arch} -DARCH=${arch}
                   -DCLANG_VERSION=${first_clang} -DPURGATORY_TOOL=$<TARGET_FILE:purgatory-tool>
                   -DREFERENCE_BIN=${PROJECT_BINARY_DIR}/purgatory/${arch}-clang${first_clang}/examples/minimal/purgatory.bin
                   -P ${PROJECT_SOURCE_DIR}/linker-scripts/tests/hardening_flags.cmake)
endforeach()

# purgatory-qemu on every arch's images, from the build tree (its stand-ins come from the first compiler's
# sub-builds: PURGATORY_QEMU_STAND_IN_DIR above).
add_test(NAME tools.purgatory-qemu
         COMMAND ${CMAKE_COMMAND} -DQEMU_TOOL=$<TARGET_FILE:purgatory-qemu> -DIMAGES_DIR=${PROJECT_BINARY_DIR}/purgatory
                 -DCLANG_VERSION=${first_clang} -DWORK_DIR=${PROJECT_BINARY_DIR}/purgatory-qemu-test
                 -P ${PROJECT_SOURCE_DIR}/host-tests/boot/purgatory_qemu_test.cmake)
set_tests_properties(tools.purgatory-qemu PROPERTIES TIMEOUT 300)

# The main job (README), and the packager's BUILD_TESTING=OFF build and install, from a fresh copy of
# the source tree. It builds on both cores for about three minutes, so it starts first and overlaps the
# rest.
add_test(NAME main-job.build-and-boot
         COMMAND ${PROJECT_SOURCE_DIR}/host-tests/main-job/build_and_boot_test.sh ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/main-job-test)
set_tests_properties(main-job.build-and-boot PROPERTIES TIMEOUT 900 COST 10000)

# The package check main-job.build-and-boot runs on its build notices a package missing from the list:
# here with the list less libnewlib-dev, over this build's purgatory sub-builds (which read newlib's headers).
add_test(NAME main-job.packages-check-notices-a-missing-package
         COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DBUILD_DIR=${PROJECT_BINARY_DIR}/purgatory
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/packages-check-test
                 -P ${PROJECT_SOURCE_DIR}/host-tests/main-job/packages_check_test.cmake)

# A first configure without a preset, configure errors that name the Debian package, the SDK as a
# subproject: each a fresh configure of the source tree.
add_test(NAME sdk.configure
         COMMAND bash ${PROJECT_SOURCE_DIR}/host-tests/configure/configure_test.sh ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR}/configure-test)

# The checker behind the source-rules target (PurgatoryHostBuild.cmake) catches what it must.
add_test(NAME sdk.source-rules
         COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DWORK_DIR=${PROJECT_BINARY_DIR}/source-rules-test
                 -P ${PROJECT_SOURCE_DIR}/host-tests/source-rules/check_source_rules_test.cmake)
