#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs, from Debian 12's own packages, what the SDK needs:
#
#   scripts/setup.sh            to build the tools and purgatories and boot them under QEMU (the main job)
#   scripts/setup.sh --tests    also everything the tests need, and Debian's kernels for the system tests
#
# Idempotent: when every package is present it prints nothing and touches nothing.
set -euo pipefail

usage() { echo "usage: scripts/setup.sh [--tests] [--list]" >&2; exit 2; }
tests=false
list=false
for arg in "$@"; do
  case $arg in
    --tests) tests=true ;;
    --list) list=true ;;
    -h|--help)
      echo "usage: scripts/setup.sh [--tests] [--list]"
      echo "Installs the Debian packages the build (and with --tests, the tests) needs."
      echo "  --list   print the packages, one per line, and install nothing"
      exit 0 ;;
    *) usage ;;
  esac
done

packages=(
  # Toolchains: clang-16 is the default; clang-14 and clang-19 must keep building relocation-free.
  clang-16 lld-16 llvm-16 clang-14 lld-14 llvm-14 clang-19 lld-19 llvm-19
  # The host compiler CMake picks by default (c++: GCC 12) for the tools.
  g++
  cmake ninja-build
  # Purgatory C library declarations (headers only).
  libnewlib-dev
  # The header-only parts of libstdc++ (<type_traits>, <array>, <span>, <bit>) as each purgatory's
  # target sees them; the x86_64 ones come with clang.
  libstdc++-12-dev-arm64-cross libstdc++-12-dev-ppc64el-cross libstdc++-12-dev-ppc64-cross
  # Host tools' libraries.
  libcli11-dev nlohmann-json3-dev libfdt-dev libfmt-dev
  # purgatory-qemu and the main job boot the purgatories under QEMU; help2man writes the man pages.
  qemu-system-x86 qemu-system-arm qemu-system-ppc help2man
)
if $tests; then
  packages+=(
    libclang-rt-16-dev libclang-rt-14-dev make file
    # readelf checks the crash kernel's ELF core header the loader writes.
    binutils
    # Cross C libraries so the digest tests also run as arm64/ppc64le/ppc64 programs.
    libc6-dev-arm64-cross libc6-dev-ppc64el-cross libc6-dev-ppc64-cross
    binutils-powerpc64-linux-gnu
    qemu-user-static
    # Test and benchmark libraries and tools; dpkg-dev for dpkg-buildflags, pkgconf for the .pc file test.
    catch2 libssl-dev libbenchmark-dev valgrind bc busybox-static cpio xz-utils dpkg-dev pkgconf
    # GNU time: the peak memory of purgatory-tool (cli.digest.peak_memory, scripts/benchmark).
    time
    # GCC 12: the constant evaluator's budget is checked under its default limit too; openssl dgst is
    # what scripts/benchmark times purgatory-tool against.
    g++-12 openssl
  )
fi

if $list; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  if ((EUID != 0)); then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if $tests; then
  "$(dirname "${BASH_SOURCE[0]}")/fetch-test-kernels.sh"  # kernels, busybox, libfdt for the system tests
fi
