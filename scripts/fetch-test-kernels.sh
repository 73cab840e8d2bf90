#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches what the kernel-to-kernel system tests (host-tests/system/) boot: for x86_64, arm64 and ppc64le,
# Debian 12's own kernel, busybox-static, and libfdt (the static library and its headers), from Debian's
# main archive only, into <repo>/.downloads/<arch>/:
#
#   kernel           x86_64: the bzImage; arm64: the uncompressed Image; ppc64le: the vmlinux ELF
#   kernel.version   the kernel release (uname -r of the booted kernel)
#   busybox          static busybox
#   libfdt/lib/libfdt.a, libfdt/include/{libfdt.h,fdt.h,libfdt_env.h}
#   packages         the Debian packages and versions these came from
#
# apt runs with a private sources list, index directory and cache, so dpkg's and apt's own configuration
# and state are left as they are; no root is needed. Idempotent: when every artifact is present and valid
# it prints nothing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
downloads=$repo/.downloads
arches=(x86_64 arm64 ppc64le)

debian_arch() {
  case $1 in
    x86_64) echo amd64 ;;
    arm64) echo arm64 ;;
    ppc64le) echo ppc64el ;;
  esac
}

# Debian's kernel meta-package per arch (ppc64el's flavour is powerpc64le).
kernel_meta_package() {
  case $1 in
    x86_64) echo linux-image-amd64 ;;
    arm64) echo linux-image-arm64 ;;
    ppc64le) echo linux-image-powerpc64le ;;
  esac
}

# ELF e_machine, as `file` names it.
elf_machine_description() {
  case $1 in
    x86_64) echo 'x86-64' ;;
    arm64) echo 'ARM aarch64' ;;
    ppc64le) echo '64-bit PowerPC' ;;
  esac
}

fail() {
  echo "fetch-test-kernels: $*" >&2
  exit 1
}

elapsed_since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }
megabytes() { awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1048576 }'; }

# The bytes of FILE at OFFSET, LENGTH of them, as hex.
bytes_at() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# Prints why DIR (one arch's finished or staged directory) is not valid; prints nothing if it is.
problems_of() {
  local arch=$1 dir=$2 description
  description=$(elf_machine_description "$arch")
  for f in kernel kernel.version busybox libfdt/lib/libfdt.a libfdt/include/libfdt.h libfdt/include/fdt.h \
           libfdt/include/libfdt_env.h packages; do
    [[ -s $dir/$f ]] || { echo "$dir/$f is missing or empty"; return; }
  done
  local kernel_type
  kernel_type=$(file -b "$dir/kernel")
  case $arch in
    x86_64)
      # The Linux/x86 boot protocol's "HdrS" at 0x202 (Documentation/arch/x86/boot.rst).
      [[ $(bytes_at "$dir/kernel" 0x202 4) == 48647253 && $kernel_type == *bzImage* ]] ||
        echo "$dir/kernel is not a bzImage: $kernel_type"
      ;;
    arm64)
      # The arm64 Image header's magic "ARM\x64" at offset 56 (Documentation/arch/arm64/booting.rst).
      [[ $(bytes_at "$dir/kernel" 56 4) == 41524d64 ]] || echo "$dir/kernel is not an arm64 Image: $kernel_type"
      ;;
    ppc64le)
      [[ $kernel_type == "ELF 64-bit LSB executable, $description"* ]] ||
        echo "$dir/kernel is not a little-endian ppc64 ELF executable: $kernel_type"
      ;;
  esac
  local busybox_type
  busybox_type=$(file -b "$dir/busybox")
  [[ $busybox_type == "ELF 64-bit LSB"*"$description"* && $busybox_type != *"dynamically linked"* ]] ||
    echo "$dir/busybox is not a static $arch ELF: $busybox_type"
  [[ $(bytes_at "$dir/libfdt/lib/libfdt.a" 0 8) == 213c617263683e0a ]] ||
    echo "$dir/libfdt/lib/libfdt.a is not an ar archive"
  local member_type
  member_type=$(ar p "$dir/libfdt/lib/libfdt.a" fdt.o | file -b -) || true
  [[ $member_type == "ELF 64-bit LSB relocatable, $description"* ]] ||
    echo "$dir/libfdt/lib/libfdt.a: fdt.o is not a $arch object: $member_type"
}

missing=()
for arch in "${arches[@]}"; do
  [[ -z $(problems_of "$arch" "$downloads/$arch" 2>/dev/null) ]] || missing+=("$arch")
done
((${#missing[@]} == 0)) && exit 0

for tool in apt-get apt-cache dpkg-deb file ar od gunzip; do
  command -v "$tool" >/dev/null || fail "needs $tool (run scripts/setup.sh as root)"
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || fail "needs $keyring (debian-archive-keyring)"

work=$downloads/.work
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work" "$downloads"/*.new' EXIT
echo "deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main" >"$work/sources.list"

total_start=$(date +%s.%N)
total_bytes=0
report=()

for arch in "${missing[@]}"; do
  darch=$(debian_arch "$arch")
  state=$work/$darch
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/debs" "$state/root"
  apt_options=(
    -oAPT::Architecture="$darch" -oAPT::Architectures="$darch"
    -oDir::Etc::SourceList="$work/sources.list" -oDir::Etc::SourceParts=/dev/null
    -oDir::Etc::Preferences=/dev/null -oDir::Etc::PreferencesParts=/dev/null
    -oDir::State::Lists="$state/lists" -oDir::Cache="$state/cache"
    -oDir::Cache::pkgcache= -oDir::Cache::srcpkgcache=
    -oAcquire::Languages=none -oAcquire::GzipIndexes=true -oquiet=2
  )
  # As root, apt downloads as _apt, who may not write here.
  ((EUID == 0)) && apt_options+=(-oAPT::Sandbox::User=root)

  # `apt-get update` exits non-zero when any index fails, even one we do not use; what matters is that
  # the Packages list of this arch's main component arrived.
  update_output=$(apt-get "${apt_options[@]}" -oquiet=1 update 2>&1) || true
  compgen -G "$state/lists/*_dists_bookworm_main_binary-${darch}_Packages*" >/dev/null ||
    fail "$arch: apt-get update fetched no bookworm main $darch Packages list:"$'\n'"$update_output"

  meta=$(kernel_meta_package "$arch")
  kernel_package=$(apt-cache "${apt_options[@]}" depends "$meta" |
                   sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1)
  [[ -n $kernel_package ]] || fail "$arch: cannot resolve the linux-image package $meta depends on"
  packages=("$kernel_package" busybox-static libfdt-dev libfdt1)

  download_start=$(date +%s.%N)
  (cd "$state/debs" && apt-get "${apt_options[@]}" download "${packages[@]}") ||
    fail "$arch: apt-get download ${packages[*]} failed"
  download_seconds=$(elapsed_since "$download_start")
  deb_bytes=$(du -cb "$state/debs"/*.deb | tail -n1 | cut -f1)
  total_bytes=$((total_bytes + deb_bytes))

  stage=$downloads/$arch.new
  rm -rf "$stage"
  mkdir -p "$stage/libfdt/lib" "$stage/libfdt/include"
  : >"$stage/packages"
  for deb in "$state/debs"/*.deb; do
    dpkg-deb -W --showformat='${Package} ${Version} ${Architecture}\n' "$deb" >>"$stage/packages"
  done

  # Only the files we keep come out of the archives: the kernel package's module tree (hundreds of
  # MB) is never written.
  kernel_deb=$(echo "$state/debs/${kernel_package}"_*.deb)
  dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$state/root" --wildcards './boot/vmlinu*' ||
    fail "$arch: cannot extract the kernel from $kernel_deb"
  case $arch in
    ppc64le) kernel_files=("$state/root/boot/vmlinux-"*) ;;
    *) kernel_files=("$state/root/boot/vmlinuz-"*) ;;
  esac
  [[ ${#kernel_files[@]} == 1 && -f ${kernel_files[0]} ]] ||
    fail "$arch: expected one kernel image in $kernel_package, found: $(ls "$state/root/boot")"
  kernel_file=${kernel_files[0]}
  release=${kernel_file##*/vmlinu?-}
  if [[ $arch == arm64 && $(bytes_at "$kernel_file" 0 2) == 1f8b ]]; then
    # A gzip-compressed Image (as Debian has shipped arm64's vmlinuz) is unpacked: the tests and the
    # loader want the Image itself. Bookworm's 6.1.0-50 ships it uncompressed already.
    gunzip -c "$kernel_file" >"$stage/kernel"
  else
    cp "$kernel_file" "$stage/kernel"
  fi
  echo "$release" >"$stage/kernel.version"

  dpkg-deb --fsys-tarfile "$state/debs"/busybox-static_*.deb | tar -x -C "$state/root" ./bin/busybox
  dpkg-deb --fsys-tarfile "$state/debs"/libfdt-dev_*.deb |
    tar -x -C "$state/root" --wildcards './usr/lib/*/libfdt.a' './usr/include/*.h'
  cp "$state/root/bin/busybox" "$stage/busybox"
  cp "$state/root/usr/lib/"*/libfdt.a "$stage/libfdt/lib/"
  cp "$state/root/usr/include/"{libfdt.h,fdt.h,libfdt_env.h} "$stage/libfdt/include/"
  chmod 0755 "$stage/busybox"

  problems=$(problems_of "$arch" "$stage")
  [[ -z $problems ]] || fail "$arch: the downloaded files are not what they should be:"$'\n'"$problems"
  rm -rf "${downloads:?}/$arch" "$state"
  mv "$stage" "$downloads/$arch"
  report+=("$(printf '%-8s %-32s %5.1f MB of packages in %5.1f s; kept: kernel %5.1f MB, busybox %4.1f MB' \
    "$arch" "$kernel_package" "$(megabytes "$deb_bytes")" "$download_seconds" \
    "$(megabytes "$(stat -c %s "$downloads/$arch/kernel")")" \
    "$(megabytes "$(stat -c %s "$downloads/$arch/busybox")")")")
done

total_seconds=$(elapsed_since "$total_start")
echo "fetch-test-kernels: into $downloads:"
printf '  %s\n' "${report[@]}"
printf '  total %.1f MB downloaded, %.1f s including index updates and extraction; %s on disk\n' \
  "$(megabytes "$total_bytes")" "$total_seconds" "$(du -sh "$downloads" | cut -f1)"
