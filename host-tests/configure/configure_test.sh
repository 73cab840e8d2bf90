#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures the SDK the ways a user or packager first meets it, each in a fresh build directory:
#   - plainly, without a preset, tests on (the default when the SDK is the top-level project);
#   - with a package the build needs not found, and with a clang that is not installed: a configure
#     error naming the Debian package to install;
#   - as a subproject (add_subdirectory) of another project: no tests of ours in its build.
#
#   configure_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
source_dir=$1
work=$2
rm -rf "$work"
mkdir -p "$work"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# configure NAME [CMAKE ARGUMENTS...]: the exit status; the output in $work/NAME.log.
configure() {
  local name=$1
  shift
  local status=0
  cmake -G Ninja -B "$work/$name" "$@" >"$work/$name.log" 2>&1 || status=$?
  echo $status
}

status=$(configure first -S "$source_dir")
[[ $status == 0 ]] || { cat "$work/first.log"; fail "a first configure without a preset (tests on) failed"; }
grep -q 'host-library-tests' "$work/first/build.ninja" || fail "the top-level configure registered no host tests"

status=$(configure no-cli11 -S "$source_dir" -DBUILD_TESTING=OFF -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON)
[[ $status != 0 ]] || fail "configure succeeded without CLI11"
# (CMake wraps its error messages: the words are compared, not the lines.)
tr -s ' \n' '  ' <"$work/no-cli11.log" | grep -q 'CLI11 2 not found: install the Debian package libcli11-dev' ||
  { cat "$work/no-cli11.log"; fail "without CLI11, the error does not name libcli11-dev"; }

status=$(configure no-clang -S "$source_dir" -DBUILD_TESTING=OFF -DPURGATORY_CLANG_VERSIONS=99)
[[ $status != 0 ]] || fail "configure succeeded with clang 99, which no Debian release has"
tr -s ' \n' '  ' <"$work/no-clang.log" | grep -q 'install the Debian packages clang-99 lld-99 llvm-99' ||
  { cat "$work/no-clang.log"; fail "for a missing clang, the error does not name its packages"; }

mkdir -p "$work/consumer"
cat >"$work/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(loader LANGUAGES C CXX)
include(CTest)
add_subdirectory("$source_dir" purgatory-sdk)
CMAKE
status=$(configure subproject -S "$work/consumer")
[[ $status == 0 ]] || { cat "$work/subproject.log"; fail "the SDK as a subproject does not configure"; }
grep -q 'purgatory-tool' "$work/subproject/build.ninja" || fail "the SDK as a subproject builds no purgatory-tool"
! grep -q 'host-library-tests' "$work/subproject/build.ninja" || fail "the SDK as a subproject builds its tests"
tests=$(cd "$work/subproject" && ctest -N | sed -n 's/^Total Tests: //p')
[[ $tests == 0 ]] || fail "the SDK as a subproject registers $tests tests in its parent's ctest"
echo "configure: first without a preset, missing CLI11, missing clang, as a subproject: ok"
