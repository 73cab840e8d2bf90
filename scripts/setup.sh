#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs, from Debian 12's own packages, everything the SDK's build and tests need.
# Idempotent: when every package is present it prints nothing and touches nothing.
set -euo pipefail

packages=(
  # Toolchains: clang-16 is the default, clang-14 must keep building.
  clang-16 lld-16 llvm-16 clang-14 lld-14 llvm-14
  libclang-rt-16-dev libclang-rt-14-dev
  cmake ninja-build make file
  # Purgatory C library declarations (headers only).
  libnewlib-dev
  # Cross sysroots so the digest tests also run as arm64/ppc64le/ppc64 programs.
  libstdc++-12-dev-arm64-cross libc6-dev-arm64-cross
  libstdc++-12-dev-ppc64el-cross libc6-dev-ppc64el-cross
  libstdc++-12-dev-ppc64-cross libc6-dev-ppc64-cross
  binutils-powerpc64-linux-gnu
  # Emulators: qemu-user for the cross tests, qemu-system for boot tests.
  qemu-user-static qemu-system-x86 qemu-system-arm qemu-system-ppc
  # Host side libraries and test tools.
  catch2 libssl-dev libcli11-dev nlohmann-json3-dev libfdt-dev libfmt-dev libbenchmark-dev
  valgrind bc busybox-static cpio xz-utils dpkg-dev
)

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

"$(dirname "${BASH_SOURCE[0]}")/fetch-test-kernels.sh"  # kernels, busybox, libfdt for the system tests
