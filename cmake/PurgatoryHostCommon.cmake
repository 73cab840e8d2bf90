# SPDX-License-Identifier: MIT
# What every host-side build of the SDK shares (native, sanitizer, and the cross builds of kexec-loader).

# Before any target names an install directory (the host library's include path, say).
include(GNUInstallDirs)

include(${CMAKE_CURRENT_LIST_DIR}/PurgatoryTools.cmake)
purgatory_require_package(CLI11 2 libcli11-dev)

# {fmt} header-only everywhere: the static kexec-loader needs it (Debian ships no libfmt.a), the cross
# builds have no libfmt for their arch, and one mode for all avoids mixing inline and shared copies.
# fmt::fmt names the same thing, so code written against the usual target name builds unchanged.
find_path(PURGATORY_FMT_INCLUDE_DIR fmt/format.h)
if(NOT PURGATORY_FMT_INCLUDE_DIR)
  message(FATAL_ERROR "{fmt} headers not found: install the Debian package libfmt-dev (scripts/setup.sh does)")
endif()
add_library(purgatory_fmt INTERFACE)
target_compile_definitions(purgatory_fmt INTERFACE FMT_HEADER_ONLY)
target_include_directories(purgatory_fmt SYSTEM INTERFACE ${PURGATORY_FMT_INCLUDE_DIR})
add_library(fmt::fmt ALIAS purgatory_fmt)

add_library(purgatory_host_warnings INTERFACE)
target_compile_options(purgatory_host_warnings INTERFACE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
