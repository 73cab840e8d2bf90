#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Everything a build read from outside the source and build trees (every header of every object, as
# ninja recorded it, in the build and its sub-builds, and every compiler and linker it was configured
# with) belongs to a package that scripts/setup.sh installs without --tests, or to one of their
# dependencies. A machine set up for the tests has more installed than the main job asks for, so the main
# job passing there cannot show that a fresh machine misses a package; this can.
#
#   packages_test.sh SOURCE_DIR BUILD_DIR [PACKAGE_LIST]
#
# BUILD_DIR is a built tree (the main job's or the packager's). PACKAGE_LIST, a file with one package per
# line, stands in for scripts/setup.sh --list: the test of this test gives it a list that lacks one.
set -euo pipefail
(($# == 2 || $# == 3)) || { echo "usage: packages_test.sh SOURCE_DIR BUILD_DIR [PACKAGE_LIST]" >&2; exit 2; }
source_dir=$(realpath "$1")
build_dir=$(realpath "$2")

fail() {
  echo "FAILED: $*" >&2
  exit 1
}
for tool in ninja dpkg-query apt-cache realpath; do
  command -v "$tool" >/dev/null || fail "$tool not found"
done

if (($# == 3)); then
  mapfile -t base <"$3"
else
  mapfile -t base < <("$source_dir/scripts/setup.sh" --list)
fi
((${#base[@]} > 0)) || fail "no packages listed"

# What the builds read.
used=$(mktemp)
trap 'rm -f "$used"' EXIT
builds=0
while IFS= read -r -d '' ninja_file; do
  dir=$(dirname "$ninja_file")
  builds=$((builds + 1))
  (cd "$dir" && ninja -t deps | awk '/^    \// { print $1 }') >>"$used"
  if [[ -f $dir/CMakeCache.txt ]]; then
    sed -nE 's/^(CMAKE_[A-Z]+_COMPILER|CMAKE_LINKER|PURGATORY_LLD|CMAKE_OBJCOPY)(:[A-Z]+)?=(\/.*)$/\3/p' \
      "$dir/CMakeCache.txt" >>"$used"
  fi
done < <(find "$build_dir" -name build.ninja -print0)
((builds > 1)) || fail "$build_dir: expected the build and its purgatory sub-builds, found $builds build.ninja"

mapfile -t paths < <(sort -u "$used" | xargs -d '\n' realpath -eq | sort -u |
                     grep -vF -e "$source_dir/" -e "$build_dir/" || true)
((${#paths[@]} > 100)) || fail "only ${#paths[@]} files from outside the trees: is $build_dir built?"

# Which package owns each. dpkg lists some files under a path that merged /usr makes a symlink
# (/lib/... for /usr/lib/...): those are asked again by that name below.
declare -A owner=()
while IFS= read -r line; do
  [[ $line == *": /"* && $line != diversion* ]] || continue
  packages=${line%%: /*}
  owner[${line##*: }]=${packages%%,*}
done < <(dpkg-query -S "${paths[@]}" 2>/dev/null || true)

# The base packages and everything they depend on.
declare -A installed_by_setup=()
while IFS= read -r name; do
  installed_by_setup[$name]=1
done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
           --no-enhances "${base[@]}" | sed -E 's/^[ |]*([A-Za-z]+: )?//; s/[<>]//g; s/:any$//' | sort -u)

problems=()
declare -A reported=()
for path in "${paths[@]}"; do
  package=${owner[$path]-}
  if [[ -z $package && $path == /usr/* ]]; then
    package=$(dpkg-query -S "/${path#/usr/}" 2>/dev/null | sed -nE '1s/^([^,:]+).*/\1/p' || true)
  fi
  package=${package%%:*}
  if [[ -z $package ]]; then
    problems+=("$path comes from no Debian package")
  elif [[ -z ${installed_by_setup[$package]-} && -z ${reported[$package]-} ]]; then
    reported[$package]=1
    problems+=("$package (for $path) is not installed by scripts/setup.sh without --tests, nor needed by what it installs")
  fi
done
if ((${#problems[@]} > 0)); then
  printf '  %s\n' "${problems[@]}" >&2
  fail "${#problems[@]} of what the build reads would be missing on a fresh machine after scripts/setup.sh"
fi
echo "packages: the ${#paths[@]} files $builds builds read from outside the trees all come from scripts/setup.sh's packages"
