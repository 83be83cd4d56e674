#!/usr/bin/env bash
# iosup as an operator installs and runs it: a Debian 12 dom0 with systemd
# as PID 1, booted from a disk behind the emulated IOMMU by the hypervisor
# and the kernel of iosup's packages (kshim/xen/build-deb.sh: Debian's
# configuration of Xen, the series; kshim/linux/build-deb.sh: the series
# kernel, prod flavour, as linux-image and linux-headers), with Debian's Xen
# tools and prometheus-node-exporter, and iosup's packages
# (scripts/build-debs) installed by apt with the others; DKMS builds the
# module in the image against the headers package (debian-disk.sh).
# Two boots of the same disk:
#   systemd-service  the unit as the package leaves it, iosupctl's access
#                    and the control group, reload, the journal's actions
#                    and their fields, stop, start after READY=1, the
#                    watchdog, disable and enable (scenarios/systemd-service.sh)
#   systemd-reboot   after the reboot: iosupd up with the module, after
#                    xen.service, nothing at warning or above about it;
#                    node-exporter's iosup series equal iosupctl's JSON;
#                    the kernel and the module are the packages', and the
#                    hypervisor's package makes GRUB's entry
#                    (scenarios/systemd-reboot.sh)
# and, as for every boot, no warning, BUG or lockdep splat on the console
# (run.sh). Prints the figures: the image's build, each boot's time to the
# rig driver's start, the watchdog's restart, the journal's actions.
#
# usage: test-systemd.sh [--keep] [--check RUN_DIR]
#   --check  no boot: judge the logs of an earlier run (its boot-1/ and
#            boot-2/ directories)
# Ends with "systemd: PASS" (exit 0) or "systemd: FAIL" (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

keep=0 check=''
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--check) check=$2; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
need_root

out=$(mktemp -d /tmp/iosup-systemd.XXXXXX)
TEST_NAME=systemd TEST_OUT=$out TEST_KEEP=$keep
# A scenario's lines in a console log, without the host's time stamps.
said() { cut -d' ' -f2- "$1" | tr -d '\r'; }

if [ -n "$check" ]; then
	for b in boot-1 boot-2; do
		[ -f "$check/$b/console.log" ] || die "--check: no $b/console.log in '$check'"
		ln -s "$(realpath "$check/$b")" "$out/$b"
	done
else
	kernel_debs=$(phase kernel-debs "$SRC_ROOT/kshim/linux/build-deb.sh") ||
		{ test_fail "kshim/linux/build-deb.sh failed"; test_finish; }
	debs=$(phase debs "$SRC_ROOT/scripts/build-debs") ||
		{ test_fail "scripts/build-debs failed"; test_finish; }
	xen_deb=$(phase xen-deb "$SRC_ROOT/kshim/xen/build-deb.sh") ||
		{ test_fail "kshim/xen/build-deb.sh failed"; test_finish; }
	# The hypervisor and the kernel the machine boots are the packages',
	# as on a host.
	release=$(cat "$kernel_debs/release") && image_deb=$(kernel_deb "$kernel_debs" image) ||
		{ test_fail "no release or linux-image package in $kernel_debs"; test_finish; }
	dpkg-deb --fsys-tarfile "$xen_deb" | tar -xO ./boot/xen-4.17-iosup-amd64.gz |
		gunzip >"$out/xen" || { test_fail "no hypervisor in $xen_deb"; test_finish; }
	dpkg-deb --fsys-tarfile "$image_deb" | tar -xO "./boot/vmlinuz-$release" >"$out/vmlinuz" &&
		[ -s "$out/vmlinuz" ] || { test_fail "no /boot/vmlinuz-$release in $image_deb"; test_finish; }
	printf 'XEN_IMAGE=%s\nKERNEL_IMAGE=%s\n' "$out/xen" "$out/vmlinuz" >"$out/boot.inputs"
	rootfs=$(phase debian-rootfs "$RIG_DIR/debian-rootfs.sh") ||
		{ test_fail "debian-rootfs.sh failed"; test_finish; }
	phase debian-disk "$RIG_DIR/debian-disk.sh" "$rootfs" "$debs" "$xen_deb" "$kernel_debs" \
		"$out/disk.img" >/dev/null ||
		{ test_fail "debian-disk.sh failed"; test_finish; }
	n=0
	for s in systemd-service systemd-reboot; do
		n=$((n + 1))
		log "boot $n of the systemd dom0: $s"
		if ! phase "boot-$n" "$RIG_DIR/run.sh" --inputs "$out/boot.inputs" --disk "$out/disk.img" \
			--deadline 900 --out "$out/boot-$n" "$s" >/dev/null; then
			test_fail "boot $n ($s) failed (see $out/boot-$n/console.log)"
			said "$out/boot-$n/console.log" | grep -E '^systemd: |^  \| ' | sed 's/^/  /' || true
			test_finish
		fi
	done
fi

for n in 1 2; do
	c=$out/boot-$n/console.log
	# In a variable: grep -q quitting early would fail a pipe from said
	# with SIGPIPE under pipefail, and a passing boot would read as failed.
	lines=$(said "$c")
	grep -E '^(systemd: |== |  \| )' <<<"$lines" | sed "s/^/  boot $n: /" || true
	# Time from Xen's banner to the rig driver's start: the whole boot,
	# under TCG.
	secs=$(awk '/Xen version/ && !x { x = $1 } /IOSUP-MARK ready/ && !r { r = $1 }
		END { if (x && r) printf "%.1f", r - x }' "$c")
	is_num "$secs" && log "boot $n: Xen's banner to the rig driver's start: $secs s" ||
		test_fail "boot $n: no time from Xen's banner to 'IOSUP-MARK ready' in $c"
	! grep -q '^systemd: FAIL' <<<"$lines" || test_fail "boot $n: $(grep -m1 '^systemd: FAIL' <<<"$lines")"
	grep -q '^systemd: ok' <<<"$lines" || test_fail "boot $n: no check passed (no 'systemd: ok' line)"
done
# figure BOOT WHAT KEY: the number a scenario printed as "IOSUP-SYSTEMD
# WHAT ... KEY=N", in $fig; a missing or garbled one fails the test.
figure() {
	fig=$(said "$out/boot-$1/console.log" | sed -n "s/^IOSUP-SYSTEMD $2 .*\\b$3=\\([^ ]*\\).*/\\1/p" | tail -n 1)
	is_num "$fig" || test_fail "boot $1: no number for '$2 $3' (got '$fig')"
}
figure 1 watchdog seconds
wd=$fig
figure 1 journal actions
actions=$fig
figure 2 metrics tries
tries=$fig
figure 2 grub entries
grub=$fig
log "watchdog: restarted in $wd s; journal: $actions actions with their fields; metrics: one period's scrapes in $tries tries; GRUB: $grub entries for the packages' hypervisor and kernel"
test_finish
