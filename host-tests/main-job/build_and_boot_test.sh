#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's main job and the packager's build, from a fresh copy of the source tree (no .downloads,
# no build directories): scripts/build-and-boot must build and boot everything with none of the
# test-only packages found, and the rest of the BUILD_TESTING=OFF build must build and install.
#
#   build_and_boot_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
source_dir=$1
work=$2
rm -rf "$work"
mkdir -p "$work/src"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# What a clone has: the tracked files (and new ones not yet committed, when run from a working tree).
if git -C "$source_dir" rev-parse --show-toplevel >/dev/null 2>&1; then
  (cd "$source_dir" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do [[ -e $file ]] && printf '%s\0' "$file"; done |
    xargs -0 cp --parents -t "$work/src")
else
  cp -r "$source_dir/." "$work/src"
  rm -rf "$work/src"/build* "$work/src/.downloads"
fi
[[ ! -e $work/src/.downloads ]] || fail "the copy has .downloads"

cd "$work/src"
# A first configure as a packager runs it, without a preset; the test-only packages must not be needed:
# the build may not even find them. (scripts/build-and-boot then applies the main preset to the same tree.)
cmake -S . -B "$work/build" -G Ninja -DBUILD_TESTING=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON >"$work/configure.log" ||
  { cat "$work/configure.log"; fail "configure"; }

scripts/build-and-boot --build-dir "$work/build" 2>&1 | tee "$work/main-job.log" || fail "scripts/build-and-boot"
grep -q '^Built in [0-9]* s\.$' "$work/main-job.log" || fail "no build time printed"
rows=$(grep -cE '^(x86_64|arm64|ppc64le|ppc64) +(16|14|19) .* ok$' "$work/main-job.log" || true)
[[ $rows == 27 ]] || fail "expected 27 boot rows that say ok (4 arches, 3 compilers, 2 scenarios, and x86_64 on QEMU's max CPU), got $rows"
max_rows=$(grep -cE '^x86_64 +(16|14|19) .* boot-max +verified +ssse3\+bmi2 .* ok$' "$work/main-job.log" || true)
[[ $max_rows == 3 ]] || fail "expected x86_64's ssse3+bmi2 engine in 3 boot-max rows, got $max_rows"
images=$(grep -cE '^(x86_64|arm64|ppc64le|ppc64) +[0-9]+ +[0-9]+ +0x80 +0 ' "$work/main-job.log" || true)
[[ $images == 12 ]] || fail "expected 12 relocation-free images in the table, got $images"
[[ ! -e $work/src/.downloads ]] || fail "the main job downloaded something into .downloads"
# The README's sample of the boot table is what the main job prints: its heading, and each row shown
# (but for the time it took).
sample=$(sed -n '/^arch  *clang  *load address/,/^```$/p' README.md | sed '$d')
[[ -n $sample ]] || fail "README.md has no sample of the boot table"
grep -qxF "$(head -1 <<<"$sample")" "$work/main-job.log" || fail "README.md's boot table heading is not the main job's"
while IFS= read -r row; do
  [[ $row == ... ]] && continue
  fixed=$(sed -E 's/ +[0-9]+\.[0-9]+ s  ok$//' <<<"$row")
  pattern="^$(sed 's/[].[*^$+?(){}|\\]/\\&/g' <<<"$fixed") +[0-9]+\.[0-9]+ s  ok$"
  grep -qE "$pattern" "$work/main-job.log" || fail "README.md's boot table row is not what the main job prints: $row"
done < <(tail -n +2 <<<"$sample")

# The rest of the packager's build, and the install.
cmake --build "$work/build" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "cmake --build"; }
cmake --install "$work/build" --prefix "$work/prefix" >"$work/install.log" || fail "cmake --install"
for file in bin/purgatory-tool bin/purgatory-qemu bin/kexec-loader lib/libpurgatory_host.a \
            lib/cmake/PurgatorySDK/PurgatorySDKConfig.cmake include/purgatory/abi.h \
            share/purgatory-sdk/x86_64/purgatory.bin share/purgatory-sdk/arm64/purgatory.bin \
            share/purgatory-sdk/ppc64le/purgatory.bin share/purgatory-sdk/ppc64/purgatory.bin \
            share/man/man1/purgatory-tool.1 share/man/man1/kexec-loader.1 share/pkgconfig/purgatory-sdk.pc \
            share/doc/purgatory-sdk/LICENSE share/doc/purgatory-sdk/building.md; do
  [[ -e $work/prefix/$file ]] || fail "not installed: $file"
done
# What that build read, from outside the trees, a fresh machine gets from scripts/setup.sh's packages.
host-tests/main-job/packages_test.sh "$work/src" "$work/build" || fail "a package the build needs"
"$work/prefix/bin/purgatory-tool" inspect --brief "$work/prefix/share/purgatory-sdk/arm64/purgatory.elf" |
  grep -qE '^arm64 .* 0 ' || fail "the installed purgatory-tool does not show the installed arm64 image"
echo "main job and BUILD_TESTING=OFF build, install: ok"
