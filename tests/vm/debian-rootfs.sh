#!/usr/bin/env bash
# The systemd dom0's base: a Debian 12 root file system built with mmdebstrap
# from Debian's archive, with systemd as init, Debian's Xen tools,
# prometheus-node-exporter, and what iosup's packages and their DKMS build
# need, so that installing them later (debian-disk.sh) fetches nothing.
# Prints the path of the tarball.
#
# Cached by a hash of the package list and this script: the archive moves
# on within bookworm (point releases, security updates), and a cached base
# keeps the packages it was built with until one of those changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

SUITE=bookworm
# The release with its updates and security updates, as an installed host
# has them (and as the packages built here are linked against).
SOURCES=(
	"deb http://deb.debian.org/debian bookworm main"
	"deb http://deb.debian.org/debian bookworm-updates main"
	"deb http://deb.debian.org/debian-security bookworm-security main"
)
# On top of Debian's "required" set (mmdebstrap's minbase).
packages=(
	# init, device nodes, the bus logind and systemctl's peers expect
	systemd systemd-sysv udev dbus kmod
	# Debian's Xen tools: /etc/init.d/xen (xen.service) mounts xenfs and
	# starts xenstored; xl, xenstore-*
	xen-utils-4.17 xen-utils-common xenstore-utils
	# Prometheus's agent, reading iosupd's metrics from its textfile
	# directory; curl reads its HTTP endpoint back
	prometheus-node-exporter curl
	# iosup's run-time libraries (the iosup package's shlibs)
	libjson-c5 libnl-3-200 libnl-genl-3-200 libsystemd0
	libxencall1 libxenstore4
	# iosup-dkms: DKMS and what it builds with; libelf1 for the kernel
	# build tree's objtool (what Debian's linux-kbuild package brings)
	dkms gcc make libc6-dev libelf1
	# GRUB's configuration tools, as on a BIOS host (no boot loader is
	# installed: QEMU boots the hypervisor): the packages' postinsts run
	# update-grub, whose Xen script makes the hypervisor's entries
	grub-common grub2-common grub-pc-bin
	# the checks: jq reads iosupctl's JSON, useradd makes the test users
	jq passwd procps
)

key=$(printf '%s\n' "$SUITE" "${SOURCES[@]}" "${packages[@]}" | cat - "$0" | sha256sum | cut -c1-16)
out=$(cache_dir debian-rootfs "$key")
cache_lock "$out"
if [ ! -f "$out/rootfs.tar" ]; then
	command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (run scripts/deps)"
	tmp=$out.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	include=$(IFS=,; echo "${packages[*]}")
	# No recommends (mmdebstrap's default): qemu-system-xen and the like
	# are what Xen's tools recommend, and dom0 here runs no HVM guest.
	mmdebstrap --variant=minbase --include="$include" \
		--customize-hook='echo iosup-dom0 >"$1/etc/hostname"' \
		--customize-hook='printf "/dev/nvme0n1 / ext4 rw,errors=remount-ro 0 1\n" >"$1/etc/fstab"' \
		"$SUITE" "$tmp/rootfs.tar" "${SOURCES[@]}" >"$tmp/mmdebstrap.log" 2>&1 ||
		{ tail -n 30 "$tmp/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
	cache_commit "$tmp" "$out"
fi
echo "$out/rootfs.tar"
