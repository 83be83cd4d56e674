#!/usr/bin/env bash
# The systemd dom0's disk: the Debian base (debian-rootfs.sh) with the
# series kernel's packages (kshim/linux/build-deb.sh), iosup's and the
# patched hypervisor's installed by apt as an operator would (DKMS builds
# iosup.ko in it against linux-headers-RELEASE), and the rig's driver, a
# unit that runs the scenarios named on the kernel command line and marks
# them on the console. An ext4 image, written to OUT (sparse).
#
# usage: debian-disk.sh ROOTFS_TAR DEBS_DIR XEN_DEB KERNEL_DEBS_DIR OUT
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root

[ $# -eq 5 ] || die "usage: debian-disk.sh ROOTFS_TAR DEBS_DIR XEN_DEB KERNEL_DEBS_DIR OUT"
rootfs_tar=$1 debs=$2 xen_deb=$3 kernel_debs=$4 image=$5
DISK_SIZE=2G

[ -f "$rootfs_tar" ] || die "no root file system at $rootfs_tar"
mapfile -t packages < <(ls "$debs"/iosup_*.deb "$debs"/iosup-dkms_*.deb 2>/dev/null)
[ ${#packages[@]} -eq 2 ] || die "$debs does not hold one iosup and one iosup-dkms package"
[ -f "$xen_deb" ] || die "no hypervisor package at $xen_deb"
release=$(cat "$kernel_debs/release" 2>/dev/null) || die "no release in $kernel_debs (kshim/linux/build-deb.sh)"
image_deb=$(kernel_deb "$kernel_debs" image) && headers_deb=$(kernel_deb "$kernel_debs" headers) ||
	die "$kernel_debs does not hold one linux-image-$release and one linux-headers-$release package"
packages+=("$xen_deb" "$image_deb" "$headers_deb")

work=$(mktemp -d /tmp/iosup-disk.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
tar -xf "$rootfs_tar" -C "$root"
mkdir -p "$root/tmp/debs"
cp "${packages[@]}" "$root/tmp/debs/"

# The rig's driver and its scenarios.
rig=$root/usr/local/lib/iosup-rig
mkdir -p "$rig/scenarios"
cp "$RIG_DIR/guest.sh" "$rig/"
cp "$RIG_DIR"/scenarios/systemd-*.sh "$rig/scenarios/"
install -m 0755 "$RIG_DIR/systemd/rig-run" "$rig/rig-run"
install -m 0644 "$RIG_DIR/systemd/iosup-rig.service" "$root/etc/systemd/system/"

# install_packages: in the image, in a mount namespace of its own (so that
# no mount outlives it): apt installs the five packages, whose maintainer
# scripts make the iosup group, enable iosupd and have DKMS build the
# module for the series kernel against its headers package. No service
# starts (policy-rc.d), as in any image build; GRUB's configuration is
# left to the booted system (no /boot/grub yet: update-grub needs the
# root device, which a chroot has not).
install_packages() {
	# shellcheck disable=SC2016
	unshare --mount --propagation private -- sh -euc '
		root=$1
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount -t sysfs sysfs "$root/sys"
		printf "#!/bin/sh\nexit 101\n" >"$root/usr/sbin/policy-rc.d"
		chmod 0755 "$root/usr/sbin/policy-rc.d"
		DEBIAN_FRONTEND=noninteractive chroot "$root" sh -c "apt-get install -y -q \
			--no-install-recommends /tmp/debs/*.deb"
		rm -f "$root/usr/sbin/policy-rc.d"
	' sh "$root"
}
if ! phase disk-apt install_packages >"$work/apt.log" 2>&1; then
	tail -n 40 "$work/apt.log" >&2
	for f in "$root"/var/lib/dkms/iosup/*/build/make.log; do
		[ ! -f "$f" ] || { echo "DKMS's ${f#"$root"}:"; tail -n 30 "$f"; } >&2
	done
	die "installing the packages in the image failed"
fi
ko=$(find "$root/lib/modules/$release" -name 'iosup.ko*' -print -quit)
[ -n "$ko" ] || { tail -n 40 "$work/apt.log" >&2; die "DKMS built no iosup.ko for $release in the image"; }
log "DKMS built ${ko#"$root"} in the image ($(grep -c . "$work/apt.log") lines of apt's log)"
rm -rf "$root/tmp/debs"

# The driver runs at the end of boot and writes to the console: nothing
# else may hold hvc0 (agetty hangs up the terminal it opens).
chroot "$root" systemctl enable iosup-rig.service >/dev/null 2>&1
chroot "$root" systemctl mask serial-getty@hvc0.service >/dev/null 2>&1

rm -f "$image"
truncate -s "$DISK_SIZE" "$image"
mkfs.ext4 -q -F -L iosup-root -d "$root" "$image" ||
	die "mkfs.ext4 -d could not make the image"
echo "$image"
