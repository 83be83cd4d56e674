#!/usr/bin/env bash
# Builds the initramfs of the rig's PV domU: busybox, iosup-lat-proc and
# domu/init, nothing of Xen's.
#
# usage: domu-initramfs.sh BIN_DIR
#   BIN_DIR    the project's build directory (its iosup-lat-proc ships)
# Prints the path of the (cached) gzipped cpio archive.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: domu-initramfs.sh BIN_DIR"
lat_proc=$1/tests/iosup-lat-proc
[ -x "$lat_proc" ] || die "$lat_proc is missing (build the project first)"
[ -x /bin/busybox ] || die "/bin/busybox is missing (run scripts/deps)"

key=$(hash_of "$RIG_DIR/domu/init" "$0" /bin/busybox "$lat_proc")
out=$(cache_dir domu-initramfs "$key")
cache_lock "$out"
if [ -f "$out/initrd.gz" ]; then
	echo "$out/initrd.gz"
	exit 0
fi

tmp=$out.tmp
rm -rf "$tmp"
root=$tmp/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,usr/bin}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$lat_proc" "$root/usr/bin/iosup-lat-proc"
for lib in $(ldd "$lat_proc" 2>/dev/null | awk '/=>/ { print $3 } /^[ \t]*\/lib/ { print $1 }'); do
	[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
done
install -m 0755 "$RIG_DIR/domu/init" "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) | gzip -1 >"$tmp/initrd.gz"
rm -rf "$root"
cache_commit "$tmp" "$out"
echo "$out/initrd.gz"
