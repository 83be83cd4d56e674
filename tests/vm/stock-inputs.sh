#!/usr/bin/env bash
# Fetches the stock inputs of the rig from Debian's archive: the Xen 4.17
# hypervisor and a Linux 6.1 kernel with its modules. Prints, as shell
# assignments, where they are:
#   XEN_IMAGE=...      an ELF multiboot image QEMU's -kernel loads
#   KERNEL_IMAGE=...   the dom0 bzImage
#   MODULES_DIR=...    a tree holding lib/modules/<release>, depmod'ed
#   KERNEL_RELEASE=...
# Patched builds (kshim/) print the same four names, so the rig takes either.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# "Stock" is the source the series apply to: the hypervisor of the Xen
# source kshim/xen/build.sh patches (XEN_SRC_VERSION there), and the kernel
# of the linux-source-6.1 that kshim/linux/build.sh patches (SRC_VER there),
# as Debian built them. Pinned, so that a security update in the archive
# never makes "stock" a different version from "patched".
XEN_PKG=xen-hypervisor-4.17-amd64
xen_ver=4.17.5+72-g01140da4e8-1
kernel_pkg=linux-image-6.1.0-56-amd64
kernel_ver=6.1.192-2

key=$(printf '%s=%s %s=%s\n' "$XEN_PKG" "$xen_ver" "$kernel_pkg" "$kernel_ver" |
	sha256sum | cut -c1-16)
out=$(cache_dir stock "$key")
cache_lock "$out"

if [ ! -f "$out/ok" ]; then
	for pv in "$XEN_PKG=$xen_ver" "$kernel_pkg=$kernel_ver"; do
		apt-cache madison "${pv%%=*}" |
			awk -v v="${pv#*=}" '$3 == v { ok = 1 } END { exit !ok }' ||
			die "${pv%%=*} ${pv#*=} is not in apt's archive (apt-get update?)"
	done
	log "fetching $XEN_PKG $xen_ver and $kernel_pkg $kernel_ver"
	tmp=$out.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp/deb" "$tmp/root"
	# _apt cannot write into a root-owned directory; download as root.
	(cd "$tmp/deb" && apt-get download -q -o APT::Sandbox::User=root \
		"$XEN_PKG=$xen_ver" "$kernel_pkg=$kernel_ver") >&2
	for d in "$tmp"/deb/*.deb; do
		dpkg-deb -x "$d" "$tmp/root"
	done
	gunzip -c "$tmp"/root/boot/xen-4.17-amd64.gz >"$tmp/xen"
	cp "$tmp"/root/boot/vmlinuz-* "$tmp/bzImage"
	release=$(basename "$tmp"/root/lib/modules/*)
	/sbin/depmod -b "$tmp/root" "$release"
	echo "$release" >"$tmp/release"
	rm -rf "$tmp/deb" "$tmp/root/boot" "$tmp/root/usr"
	touch "$tmp/ok"
	cache_commit "$tmp" "$out"
fi

echo "XEN_IMAGE=$out/xen"
echo "KERNEL_IMAGE=$out/bzImage"
echo "MODULES_DIR=$out/root"
echo "KERNEL_RELEASE=$(cat "$out/release")"
