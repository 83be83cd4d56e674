#!/usr/bin/env bash
# Packages the series kernel for a host: the prod flavour of build.sh (its
# release ends in -iosup, config/series.config) as linux-image-RELEASE and
# linux-headers-RELEASE, made by the kernel's own "make bindeb-pkg" from the
# build tree build.sh left, so no second kernel is compiled. The image
# package installs /boot/vmlinuz-RELEASE, its config (which GRUB's Xen
# entries look for) and the modules; the headers package is what DKMS
# builds iosup-dkms against. Prints the directory holding the two .debs
# and the kernel's release (a file, "release").
#
# Cached by a hash of the kernel and this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/vm/lib.sh"
need_root

# Debian's version of the source, and which build of the series on it.
ITERATION=iosup1

inputs=$("$here/build.sh" --flavour prod)
kbuild=$(sed -n 's/^KBUILD_DIR=//p' <<<"$inputs")
kernel=$(sed -n 's/^KERNEL_IMAGE=//p' <<<"$inputs")
release=$(sed -n 's/^KERNEL_RELEASE=//p' <<<"$inputs")
[ -d "$kbuild" ] && [ -f "$kernel" ] && [ -n "$release" ] ||
	die "kshim/linux/build.sh --flavour prod printed no build tree, image or release"
case $release in
*-iosup) ;;
*) die "the series kernel's release '$release' does not end in -iosup (config/series.config)" ;;
esac
src_version=$(sed -n 's/^SRC_VER=//p' "$here/build.sh")
[ -n "$src_version" ] || die "no SRC_VER in $here/build.sh"
version=$src_version+$ITERATION

key=$(printf '%s %s %s\n' "$version" "$kernel" "$(hash_of "$kernel" "$0")" |
	sha256sum | cut -c1-16)
if cache_entry kernel-debs "$key"; then
	# dpkg-buildpackage writes the packages beside the build tree: the work
	# area, which build.sh and build-module.sh hold while they use it.
	work=$(dirname "$kbuild")
	exec 8>"$work.lock"
	flock 8
	# bindeb-pkg runs make first: the tree must still be this kernel's
	# build (another build of the work area may have moved it since).
	[ "$(cat "$kbuild.at" 2>/dev/null)" = "$(basename "$(dirname "$kernel")" | sed 's/^kernel-//')" ] ||
		die "$kbuild no longer holds the build of $kernel; run build.sh --flavour prod again"
	rm -f "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes
	# -d: the kernel's generated control file asks for build tools (rsync,
	# bc, cpio) that a bindeb-pkg of a built tree never runs.
	make -C "$kbuild" -j"${JOBS:-2}" KDEB_PKGVERSION="$version" \
		KDEB_CHANGELOG_DIST=bookworm DEBFULLNAME='iosup developers' \
		DEBEMAIL=iosup-devel@lists.iosup.org DPKG_FLAGS=-d \
		bindeb-pkg >"$tmp/build.log" 2>&1 ||
		{ tail -n 30 "$tmp/build.log" >&2; die "make bindeb-pkg failed"; }
	for p in linux-image linux-headers; do
		f=$work/${p}-${release}_${version}_amd64.deb
		[ -f "$f" ] || die "make bindeb-pkg made no ${f##*/}"
		mv "$f" "$tmp/"
	done
	# linux-libc-dev (the UAPI headers) is not for a host: Debian's stays.
	rm -f "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes
	flock -u 8
	echo "$release" >"$tmp/release"
	touch "$tmp/ok"
	cache_commit "$tmp" "$out"
fi
echo "$out"
