#!/usr/bin/env bash
# Builds the initramfs of the rig's PV domU: busybox, iosup-lat-proc,
# domu/init, Xen's xenstore client (read, write and watch, for the agent's test:
# a domain's own client, talking through /dev/xen/xenbus), iosup-xs-hostile
# (the hostile domU's writes, domu/xs-hostile.c), iosup-stale (the
# stale-entry check, domu/stale.c) and, with
# RIG_DOMU_KO set, that module (iosup.ko, built for the domU's kernel) in
# /lib/modules.
#
# usage: [RIG_DOMU_KO=KO] domu-initramfs.sh BIN_DIR
#   BIN_DIR    the project's build directory (its iosup-lat-proc,
#              iosup-xs-hostile and iosup-stale ship)
# Prints the path of the (cached) gzipped cpio archive.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: domu-initramfs.sh BIN_DIR"
lat_proc=$1/tests/iosup-lat-proc
[ -x "$lat_proc" ] || die "$lat_proc is missing (build the project first)"
xs_hostile=$1/tests/iosup-xs-hostile
[ -x "$xs_hostile" ] || die "$xs_hostile is missing (build the project first)"
stale=$1/tests/iosup-stale
[ -x "$stale" ] || die "$stale is missing (build the project first)"
[ -x /bin/busybox ] || die "/bin/busybox is missing (run scripts/deps)"
# One program, named by how it is called (xenstore-read, xenstore-write).
xenstore=/usr/bin/xenstore
[ -x "$xenstore" ] || die "$xenstore is missing (run scripts/deps)"
ko=${RIG_DOMU_KO:-}
[ -z "$ko" ] || [ -f "$ko" ] || die "RIG_DOMU_KO: '$ko' is not a file"

key=$(hash_of "$RIG_DIR/domu/init" "$0" /bin/busybox "$lat_proc" "$xs_hostile" "$stale" "$xenstore" \
	${ko:+"$ko"})
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
install -m 0755 "$xs_hostile" "$root/usr/bin/iosup-xs-hostile"
install -m 0755 "$stale" "$root/usr/bin/iosup-stale"
install -m 0755 "$xenstore" "$root/usr/bin/xenstore"
ln -s xenstore "$root/usr/bin/xenstore-read"
ln -s xenstore "$root/usr/bin/xenstore-write"
ln -s xenstore "$root/usr/bin/xenstore-watch"
for lib in $(ldd "$lat_proc" "$xs_hostile" "$xenstore" 2>/dev/null | awk '/=>/ { print $3 } /^[ \t]*\/lib/ { print $1 }'); do
	[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
done
if [ -n "$ko" ]; then
	install -D -m 0644 "$ko" "$root/lib/modules/iosup.ko"
fi
install -m 0755 "$RIG_DIR/domu/init" "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) | gzip -1 >"$tmp/initrd.gz"
rm -rf "$root"
cache_commit "$tmp" "$out"
echo "$out/initrd.gz"
