#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark measures what it claims to: every engine it times, asked through its --instructions
# mode (what scripts/benchmark runs under callgrind), hashes the same buffer to the same digest, and
# the engines that must run here do (the CI machine's x86_64 CPU has SHA-NI, SSSE3 and BMI2).
#
#   engines_agree_test.sh SHA256_BENCHMARK
set -euo pipefail
benchmark=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
engines=(portable images-portable hardware two-lanes openssl)
[[ $(uname -m) == x86_64 ]] && engines+=(ssse3+bmi2)
for size in 64 4096 1000003; do
  reference=""
  for engine in "${engines[@]}"; do
    out=$("$benchmark" --instructions "$engine" "$size") || fail "$engine on $size bytes: exit $?"
    read -r ran bytes digest <<<"$out"
    [[ $bytes == "$size" && $digest =~ ^[0-9a-f]{64}$ ]] || fail "$engine on $size bytes printed: $out"
    if [[ $(uname -m) == x86_64 ]]; then
      [[ $engine != hardware || $ran == sha-ni ]] || fail "the hardware engine here is $ran, not sha-ni"
      [[ $engine != ssse3+bmi2 || $ran == ssse3+bmi2 ]] || fail "ssse3+bmi2 ran as $ran"
    fi
    [[ $engine != two-lanes ]] || continue  # two halves' digests folded together: a digest of its own
    [[ -n $reference ]] || reference=$digest
    [[ $digest == "$reference" ]] || fail "$engine ($ran) on $size bytes: $digest, portable: $reference"
    echo "$engine ($ran) $size bytes: $digest"
  done
done
echo "every engine agrees"
