# SPDX-License-Identifier: MIT
# A purgatory must not change when the environment carries a distribution's hardening flags: configures
# and builds a fresh purgatory build of ARCH with Debian's full hardening set (dpkg-buildflags,
# DEB_BUILD_MAINT_OPTIONS=hardening=+all) in CFLAGS/CXXFLAGS/CPPFLAGS/LDFLAGS, then requires the flat
# image to be byte-identical to REFERENCE_BIN, built without them.
# Inputs: SOURCE_DIR, WORK_DIR, ARCH, CLANG_VERSION, PURGATORY_TOOL, REFERENCE_BIN.
find_program(DPKG_BUILDFLAGS dpkg-buildflags REQUIRED)

set(ENV{DEB_BUILD_MAINT_OPTIONS} "hardening=+all")
foreach(variable IN ITEMS CFLAGS CXXFLAGS CPPFLAGS LDFLAGS)
  execute_process(COMMAND ${DPKG_BUILDFLAGS} --get ${variable} OUTPUT_VARIABLE ${variable}
                  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
endforeach()
if(NOT CFLAGS MATCHES "-fstack-protector-strong" OR NOT LDFLAGS MATCHES "relro")
  message(FATAL_ERROR "dpkg-buildflags did not give hardening flags: CFLAGS=${CFLAGS} LDFLAGS=${LDFLAGS}")
endif()
# As Debian's CMake packaging does: the preprocessor flags ride along with the compiler flags.
set(ENV{CFLAGS} "${CFLAGS} ${CPPFLAGS}")
set(ENV{CXXFLAGS} "${CXXFLAGS} ${CPPFLAGS}")
set(ENV{ASMFLAGS} "${CFLAGS} ${CPPFLAGS}")
set(ENV{CPPFLAGS} "${CPPFLAGS}")
set(ENV{LDFLAGS} "${LDFLAGS}")
message(STATUS "CXXFLAGS=$ENV{CXXFLAGS}\nLDFLAGS=$ENV{LDFLAGS}")

file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -G Ninja
          -DCMAKE_TOOLCHAIN_FILE=${SOURCE_DIR}/toolchains/${ARCH}.cmake
          -DPURGATORY_CLANG_VERSION=${CLANG_VERSION} -DPURGATORY_TOOL=${PURGATORY_TOOL}
  OUTPUT_VARIABLE configure_output ERROR_VARIABLE configure_output RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "configure failed:\n${configure_output}")
endif()
if(NOT configure_output MATCHES "Purgatory build ignores host flags[^\n]*\n   CMAKE_C_FLAGS: [^\n]*-fstack-protector-strong")
  message(FATAL_ERROR "the hardening flags never reached the build, so this test proves nothing:\n"
                      "${configure_output}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR} --target purgatory
                OUTPUT_VARIABLE build_output ERROR_VARIABLE build_output RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "build with hardening flags in the environment failed:\n${build_output}")
endif()

set(hardened_bin "${WORK_DIR}/examples/minimal/purgatory.bin")
if(NOT EXISTS "${hardened_bin}" OR NOT EXISTS "${REFERENCE_BIN}")
  message(FATAL_ERROR "missing image: ${hardened_bin} or ${REFERENCE_BIN}")
endif()
file(SHA256 "${hardened_bin}" hardened)
file(SHA256 "${REFERENCE_BIN}" reference)
if(NOT hardened STREQUAL reference)
  message(FATAL_ERROR "the image built with hardening flags in the environment differs from the reference")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
message(STATUS "${ARCH}: identical image with and without hardening flags in the environment")
