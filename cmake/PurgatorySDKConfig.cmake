# SPDX-License-Identifier: MIT
# find_package(PurgatorySDK CONFIG): the installed purgatory SDK.
#
# In a host project it gives
#   PurgatorySDK::host             the host library (image parsing, sealing, ELF checks)
#   PurgatorySDK::purgatory-tool   the command-line tool
#   purgatory_add_executable(NAME ARCH <arch> SOURCES ...)   a custom purgatory, built for <arch>
#   purgatory_embed(TARGET IMAGE <image> NAME <symbol> [FORMAT c|asm])   an image a host target links
# (see PurgatoryHostFunctions.cmake). Inside a purgatory build (a project configured with one of
# share/purgatory-sdk/toolchains/<arch>.cmake) it gives the same targets and purgatory_add_executable
# the SDK builds itself with.
#
# Every path is relative to this file: the prefix may be moved.
get_filename_component(PURGATORY_SDK_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(PURGATORY_SDK_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PURGATORY_SDK_TOOLCHAIN_DIR ${PURGATORY_SDK_PREFIX}/share/purgatory-sdk/toolchains)
set(PURGATORY_SDK_LINKER_SCRIPT ${PURGATORY_SDK_PREFIX}/share/purgatory-sdk/linker-scripts/purgatory.ld)
set(PURGATORY_SDK_RUNTIME_INCLUDE_DIR ${PURGATORY_SDK_PREFIX}/include)
set(PURGATORY_SDK_COMPAT_INCLUDE_DIR ${PURGATORY_SDK_PREFIX}/include/purgatory-sdk/libstdcxx-compat)
set(PURGATORY_SDK_ARCHES x86_64 arm64 ppc64le ppc64)
set(PURGATORY_TOOL ${PURGATORY_SDK_PREFIX}/bin/purgatory-tool CACHE FILEPATH
    "purgatory-tool (host program) that checks every linked purgatory")

if(PURGATORY_ARCH)
  # A purgatory build for one arch.
  set(arch_libraries ${PURGATORY_SDK_PREFIX}/lib/purgatory-sdk/${PURGATORY_ARCH})
  if(NOT EXISTS ${arch_libraries}/libpurgatory_runtime.a)
    message(FATAL_ERROR "PurgatorySDK at ${PURGATORY_SDK_PREFIX} has no libraries for ${PURGATORY_ARCH}")
  endif()
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryIgnoreHostFlags.cmake)
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryFlags.cmake)

  add_library(purgatory_arch_flags INTERFACE)
  include(${PURGATORY_SDK_PREFIX}/share/purgatory-sdk/${PURGATORY_ARCH}/flags.cmake)
  target_include_directories(purgatory_arch_flags INTERFACE ${PURGATORY_SDK_PREFIX}/include/purgatory-sdk/${PURGATORY_ARCH})

  add_library(purgatory_runtime STATIC IMPORTED)
  set_target_properties(purgatory_runtime PROPERTIES IMPORTED_LOCATION ${arch_libraries}/libpurgatory_runtime.a)
  add_library(purgatory_arch STATIC IMPORTED)
  set_target_properties(purgatory_arch PROPERTIES IMPORTED_LOCATION ${arch_libraries}/libpurgatory_arch.a)
  add_library(purgatory_arch_entry OBJECT IMPORTED)
  set_target_properties(purgatory_arch_entry PROPERTIES IMPORTED_OBJECTS ${arch_libraries}/entry.S.obj)
  add_library(purgatory_image OBJECT IMPORTED)
  set_target_properties(purgatory_image PROPERTIES
                        IMPORTED_OBJECTS "${arch_libraries}/image_header.S.obj;${arch_libraries}/info.cc.obj")

  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryExecutable.cmake)
else()
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatorySDKTargets.cmake)
  if(NOT TARGET PurgatorySDK::purgatory-tool)
    add_executable(PurgatorySDK::purgatory-tool IMPORTED)
    set_target_properties(PurgatorySDK::purgatory-tool PROPERTIES IMPORTED_LOCATION ${PURGATORY_TOOL})
  endif()
  include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryHostFunctions.cmake)
endif()
