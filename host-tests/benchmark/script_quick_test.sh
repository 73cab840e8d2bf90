#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/benchmark, the command docs/performance.md gives, runs end to end: with --quick (small
# buffers and files, short runs) it must print every table it prints for real, each row with figures.
# Its figures are not checked: they are not figures to report.
#
#   script_quick_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$source_dir/scripts/benchmark" --help | grep -q -- "--quick" || fail "--help does not name --quick"
if "$source_dir/scripts/benchmark" --bogus 2>/dev/null; then fail "an unknown option was accepted"; fi

"$source_dir/scripts/benchmark" --quick >"$out" 2>&1 || { cat "$out"; fail "scripts/benchmark --quick: exit $?"; }
cat "$out"

number='[0-9]+(\.[0-9]+)?'
# Throughput: both sizes, every engine's figure non-zero.
for size in "4 KiB" "64 KiB"; do
  row=$(grep -E "^ *$size \| " "$out" | head -1) || fail "no throughput row for $size"
  read -r -a figures <<<"$(sed -E 's/^ *[0-9]+ [KM]iB \| //; s/ \|.*//' <<<"$row")"
  ((${#figures[@]} == 5)) || fail "throughput row for $size has ${#figures[@]} figures: $row"
  for figure in "${figures[@]}"; do [[ $figure =~ ^[1-9][0-9]*$ ]] || fail "throughput row for $size: $row"; done
done
if [[ $(uname -m) == x86_64 ]]; then
  grep -q "^Without SHA-NI" "$out" || fail "no table of the engines without SHA-NI"
  grep -qE "^two chains of them side by side: $number MB/s" "$out" || fail "no two-chain limit"
  grep -qE "^the same with fresh words in xmm0 .*: one $number MB/s, two $number MB/s, $number""x$" "$out" ||
    fail "no two-chain limit with fresh words"
fi
# Instructions per byte: one line per engine, a plausible figure (the compact core is about 50).
for engine in portable images-portable hardware openssl "openssl (SHA extensions masked)"; do
  line=$(grep -F "  $engine " "$out" | grep -vF "|" | head -1) || fail "no instructions-per-byte line for $engine"
  figure=$(sed -E "s/^ *${engine//[()]/.} +([0-9.]+).*/\1/" <<<"$line")
  [[ $figure =~ ^$number$ ]] && (($(echo "$figure > 1 && $figure < 200" | bc))) ||
    fail "instructions per byte for $engine: $line"
done
# Every arch's image.
for arch in x86_64 arm64 ppc64le ppc64; do
  grep -q "$arch-clang16/examples/minimal/purgatory.elf" "$out" || fail "no image line for $arch"
done
# The constant evaluator: a 1 KiB row per compiler, compiled at the default limit.
rows=$(grep -cE "^  1 KiB +[0-9]+ +[0-9]+ +$number""s yes$" "$out" || true)
((rows == 2)) || fail "expected a 1 KiB constexpr row for clang++-16 and g++-12 that compiles at the default limit, found $rows"
# Whole processes: eight rows, each with seconds and a peak memory.
rows=$(grep -cE "^  (openssl dgst|purgatory-tool|sha256sum).* +$number s +[1-9][0-9]* KiB" "$out" || true)
((rows == 8)) || fail "expected 8 whole-process rows, found $rows"
echo "scripts/benchmark --quick printed every table"
