#!/usr/bin/env bash
# iosup's Debian packages, built from this checkout (scripts/build-debs)
# and checked as an operator meets them:
#   lintian    clean at every level, pedantic included (each override in
#              debian/*.lintian-overrides says why it is one)
#   iosup      holds iosupd, iosupctl, the unit, the man pages, the
#              completion, the sysusers.d and modules-load.d entries, and
#              /etc/iosup/iosupd.conf as a conffile; its postinst makes
#              the group and enables the unit without starting it
#   dkms       iosup-dkms installs on a host whose only kernel headers are
#              Debian's own (no series): the module is skipped for that
#              kernel, saying what it lacks, and a build forced there by
#              hand stops in Kbuild with the same words; with the series
#              kernel's headers package installed, DKMS builds it for that
#              kernel and the module's vermagic is that kernel's
#   kernel     linux-image-RELEASE and linux-headers-RELEASE
#              (kshim/linux/build-deb.sh): RELEASE ends in -iosup; the
#              image holds /boot/vmlinuz-RELEASE, its config (a dom0's,
#              which GRUB's Xen entries look for) and the modules; the
#              headers hold the build tree /lib/modules/RELEASE/build
#              leads to, with the series' header; what lintian says of
#              them is Kbuild's packaging, listed and bounded (KERNEL_TAGS)
#   xen        xen-hypervisor-4.17-iosup-amd64 (kshim/xen/build-deb.sh):
#              lintian as above; /boot/xen-4.17-iosup-amd64.gz, an ELF
#              image with a Multiboot2 header, and its .config, Debian's (no debug, no
#              perf counters); update-grub in its maintainer scripts, as in
#              Debian's own (the systemd dom0, tests/vm/test-systemd.sh,
#              boots it)
# The packages are removed again at the end. Ends with "debs: PASS" (exit 0)
# or "debs: FAIL" (exit 1).
# usage: test-debs.sh
set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"
need_root
[ $# -eq 0 ] || die "usage: test-debs.sh"

failed=0
fail() { echo "debs: FAIL: $*"; failed=1; }
ok() { echo "  ok   $*"; }
# has_line TEXT LINE: TEXT holds LINE, whole.
has_line() { grep -qxF -- "$2" <<<"$1"; }

debs=$(phase build-debs "$SRC_ROOT/scripts/build-debs") || { echo "debs: FAIL: scripts/build-debs"; exit 1; }
version=$(dpkg-parsechangelog -l "$SRC_ROOT/debian/changelog" -S Version)
deb=$debs/iosup_${version}_amd64.deb
dkms_deb=$debs/iosup-dkms_${version}_all.deb
[ -f "$deb" ] && [ -f "$dkms_deb" ] || { echo "debs: FAIL: no $deb or $dkms_deb"; exit 1; }

# lint FILE: what lintian says of a .changes or a .deb at every level;
# anything is a failure (overrides are not said).
lint() {
	lintian --pedantic --display-info --display-experimental "$1" 2>&1 |
		grep -v '^running with root privileges is not recommended!$'
}
said=$(lint "$debs/iosup.changes")
if [ -n "$said" ]; then
	fail "lintian: $said"
else
	ok "lintian --pedantic --display-info --display-experimental: nothing said"
fi

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
for f in /usr/sbin/iosupd /usr/sbin/iosupctl /lib/systemd/system/iosupd.service \
	/etc/iosup/iosupd.conf /usr/lib/sysusers.d/iosup.conf /usr/lib/modules-load.d/iosup.conf \
	/usr/share/man/man8/iosupd.8.gz /usr/share/man/man8/iosupctl.8.gz \
	/usr/share/man/man5/iosupd.conf.5.gz /usr/share/bash-completion/completions/iosupctl; do
	has_line "$contents" "$f" && ok "iosup has $f" || fail "iosup lacks $f"
done
# The rig's workloads are not for a host.
for f in /usr/bin/iosup-burst /usr/bin/iosup-lat-proc; do
	has_line "$contents" "$f" && fail "iosup ships the rig's $f" || ok "iosup leaves out $f"
done
ctl=$(mktemp -d)
trap 'rm -rf "$ctl"' EXIT
dpkg-deb -e "$deb" "$ctl"
has_line "$(cat "$ctl/conffiles")" /etc/iosup/iosupd.conf &&
	ok "/etc/iosup/iosupd.conf is a conffile" || fail "/etc/iosup/iosupd.conf is not a conffile"
grep -q 'systemd-sysusers.*iosup' "$ctl/postinst" &&
	ok "postinst makes the group (systemd-sysusers)" || fail "postinst does not run systemd-sysusers"
grep -q "deb-systemd-helper.* enable 'iosupd.service'" "$ctl/postinst" &&
	ok "postinst enables iosupd.service" || fail "postinst does not enable iosupd.service"
grep -q 'systemctl.*start' "$ctl/postinst" &&
	fail "postinst starts a service: $(grep 'systemctl.*start' "$ctl/postinst")" ||
	ok "postinst starts nothing (an upgrade keeps iosupd's pools)"
# The installed config parses (by the packaged iosupd), and says every key
# at its default.
dpkg-deb -x "$deb" "$ctl/root"
conf=$ctl/iosupd.conf
cp "$ctl/root/etc/iosup/iosupd.conf" "$conf"
keys=$(sed -n 's/^#\([a-z_]*\) =.*/\1/p' "$conf" | sort | tr '\n' ' ')
[ "$keys" = "control_group free_floor_percent guest_lease_s max_pages memory_cap_mib metrics_dir min_pages mode period_ms " ] &&
	ok "iosupd.conf shows every key: $keys" || fail "iosupd.conf shows the keys '$keys'"
sed -i 's/^#\([a-z_]* =\)/\1/' "$conf"
out=$("$ctl/root/usr/sbin/iosupd" --config "$conf" --check-config 2>&1) && rc=0 || rc=$?
[ $rc -eq 0 ] && ok "iosupd --check-config takes every default uncommented" ||
	fail "iosupd --check-config on the defaults uncommented: exit $rc: $out"

# The series kernel's packages.
kernel_debs=$(phase kernel-debs "$SRC_ROOT/kshim/linux/build-deb.sh") ||
	{ echo "debs: FAIL: kshim/linux/build-deb.sh"; exit 1; }
krel=$(cat "$kernel_debs/release" 2>/dev/null)
image_deb=$(kernel_deb "$kernel_debs" image) && headers_deb=$(kernel_deb "$kernel_debs" headers) ||
	{ echo "debs: FAIL: no release, linux-image or linux-headers in $kernel_debs"; exit 1; }
case $krel in
*-iosup) ok "the series kernel's release is $krel" ;;
*) fail "the series kernel's release '$krel' does not end in -iosup" ;;
esac
k=$ctl/kernel
mkdir -p "$k"
dpkg-deb -x "$image_deb" "$k/image" 2>/dev/null || fail "dpkg-deb -x ${image_deb##*/}"
dpkg-deb -x "$headers_deb" "$k/headers" 2>/dev/null || fail "dpkg-deb -x ${headers_deb##*/}"
[ -s "$k/image/boot/vmlinuz-$krel" ] && ok "linux-image-$krel has /boot/vmlinuz-$krel" ||
	fail "linux-image-$krel has no /boot/vmlinuz-$krel"
grep -qx 'CONFIG_XEN_DOM0=y' "$k/image/boot/config-$krel" 2>/dev/null &&
	ok "its /boot/config-$krel is a dom0's (CONFIG_XEN_DOM0=y: GRUB's Xen entries take it)" ||
	fail "no /boot/config-$krel with CONFIG_XEN_DOM0=y"
[ -f "$k/image/lib/modules/$krel/modules.order" ] && ok "it has /lib/modules/$krel" ||
	fail "linux-image-$krel has no /lib/modules/$krel"
hdr=$k/headers/usr/src/linux-headers-$krel
[ "$(readlink "$k/headers/lib/modules/$krel/build")" = "/usr/src/linux-headers-$krel" ] &&
	[ -f "$hdr/Module.symvers" ] && [ -f "$hdr/arch/x86/include/asm/xen/pt_pool.h" ] &&
	ok "linux-headers-$krel: the build tree, Module.symvers, the series' pt_pool.h" ||
	fail "linux-headers-$krel lacks the build link, Module.symvers or the series' pt_pool.h"
# Kbuild's own packaging (make bindeb-pkg) is not lintian-clean and is not
# ours to change: the tags it draws are listed, and a new one fails. All
# are linux-headers' (the image's package draws none), the kernel tree's
# build tools and scripts as Kbuild copies them: host programs (fixdep,
# modpost, objtool) unstripped, built with the kernel's HOSTCFLAGS rather
# than Debian's hardening flags, their libraries undeclared (Kbuild's
# control file has no Depends); scripts with bash-isms under /bin/sh, or
# executable without a #!; the tree's .gitignore files and READMEs; a
# misspelt word in a host program's strings.
KERNEL_TAGS='unstripped-binary-or-object hardening-no-bindnow
	hardening-no-fortify-functions undeclared-elf-prerequisites
	bash-term-in-posix-shell executable-not-elf-or-script
	package-contains-vcs-control-file
	package-contains-documentation-outside-usr-share-doc
	spelling-error-in-binary'
# A line that is not a tag, or no tag at all, is lintian failing, not a pass.
lint_out=$(for f in "$kernel_debs"/*.deb; do lint "$f"; done)
said=$(sed -nE 's/^[EWIPX]: [^ ]+: ([^ ]+).*/\1/p' <<<"$lint_out" | sort -u)
odd=$(grep -vE '^[EWIPX]: [^ ]+: [^ ]+' <<<"$lint_out" | grep . || true)
extra=$(comm -23 <(printf '%s\n' "$said") <(printf '%s\n' $KERNEL_TAGS | sort -u) | grep . || true)
if [ -n "$odd" ] || [ -z "$said" ]; then
	fail "lintian on the kernel's packages said no tag or something else: $(head -n 5 <<<"$odd")"
elif [ -n "$extra" ]; then
	fail "lintian on the kernel's packages says new tags: $(echo $extra)"
else
	ok "lintian on the kernel's packages: Kbuild's $(grep -c . <<<"$said") known tags, nothing else"
fi

# DKMS, with Debian's own headers the only ones installed for a kernel.
stock=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -n1)
[ -n "$stock" ] || fail "no Debian kernel headers (linux-headers-amd64: scripts/deps)"
# (What an earlier run left, if it stopped half-way, goes first.)
dpkg -P iosup-dkms "linux-headers-$krel" >/dev/null 2>&1
out=$(dpkg -i "$dkms_deb" 2>&1) && rc=0 || rc=$?
[ $rc -eq 0 ] && ok "iosup-dkms installs (Debian's kernel $stock beside it)" ||
	fail "dpkg -i iosup-dkms: exit $rc: $out"
grep -qF "iosup: kernel $stock lacks the iosup series: its headers have no arch/x86/include/asm/xen/pt_pool.h; not built for it" <<<"$out" &&
	ok "DKMS skips $stock, saying what it lacks" || fail "installing did not say why $stock is skipped: $out"
src=/usr/src/iosup-$version
out=$(make -C "/lib/modules/$stock/build" M="$src/kshim/linux/iosup" modules 2>&1) && rc=0 || rc=$?
[ $rc -ne 0 ] && grep -qF "iosup: this kernel ($stock) lacks the iosup series: its headers have no arch/x86/include/asm/xen/pt_pool.h" <<<"$out" &&
	ok "a build forced on $stock stops in Kbuild, saying what it lacks" ||
	fail "a build forced on $stock: exit $rc: $out"
# With the series kernel's headers package installed (not its image: this
# host boots its own kernel), DKMS builds the module for it.
out=$(dpkg -i "$headers_deb" 2>&1) && rc=0 || rc=$?
[ $rc -eq 0 ] && ok "${headers_deb##*/} installs" || fail "dpkg -i ${headers_deb##*/}: exit $rc: $out"
out=$(dkms build -m iosup -v "$version" -k "$krel" 2>&1) && rc=0 || rc=$?
ko=$(ls /var/lib/dkms/iosup/"$version"/"$krel"/x86_64/module/iosup.ko* 2>/dev/null | head -n1)
[ $rc -eq 0 ] && [ -n "$ko" ] && [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$krel" ] &&
	ok "DKMS builds iosup.ko against linux-headers-$krel (vermagic $(modinfo -F vermagic "$ko"))" ||
	fail "dkms build for $krel: exit $rc: $out"
dpkg -P iosup-dkms >/dev/null 2>&1 || fail "dpkg -P iosup-dkms"
[ ! -e /var/lib/dkms/iosup ] && ok "purged: nothing left in DKMS's tree" ||
	fail "left in DKMS's tree: $(ls /var/lib/dkms/iosup)"
dpkg -P "linux-headers-$krel" >/dev/null 2>&1 || fail "dpkg -P linux-headers-$krel"
[ ! -e "/lib/modules/$krel" ] || rmdir "/lib/modules/$krel" 2>/dev/null ||
	fail "left in /lib/modules/$krel: $(ls -A "/lib/modules/$krel")"

# The hypervisor's package.
xen_deb=$(phase xen-deb "$SRC_ROOT/kshim/xen/build-deb.sh") || fail "kshim/xen/build-deb.sh"
if [ -f "$xen_deb" ]; then
	said=$(lint "$xen_deb")
	[ -z "$said" ] && ok "lintian on ${xen_deb##*/}: nothing said" || fail "lintian on ${xen_deb##*/}: $said"
	x=$ctl/xen
	mkdir -p "$x"
	dpkg-deb -x "$xen_deb" "$x/root"
	dpkg-deb -e "$xen_deb" "$x/ctl"
	# An ELF image with a Multiboot2 header (its magic, 0xe85250d6, a
	# 32-bit word within the first 32 KiB): what GRUB's Xen entries load.
	img=$x/xen
	gunzip -c "$x/root/boot/xen-4.17-iosup-amd64.gz" >"$img" 2>/dev/null || : >"$img"
	# The words in a variable: grep -q quitting early would fail the
	# pipe with SIGPIPE under pipefail.
	words=$(head -c 32768 "$img" | od -An -tx4 -v | tr -s ' ' '\n')
	if [ "$(head -c 4 "$img" | od -An -c | tr -d ' ')" = '177ELF' ] &&
		grep -qx e85250d6 <<<"$words"; then
		ok "/boot/xen-4.17-iosup-amd64.gz is a gzipped ELF image with a Multiboot2 header"
	else
		fail "/boot/xen-4.17-iosup-amd64.gz is not a gzipped ELF image with a Multiboot2 header"
	fi
	cfg=$x/root/boot/xen-4.17-iosup-amd64.config
	if [ -f "$cfg" ] && ! grep -qxE 'CONFIG_(DEBUG|PERF_COUNTERS)=y' "$cfg"; then
		ok "its .config is a host's: no debug, no perf counters"
	else
		fail "no $cfg, or it has the rig's debug or perf counters"
	fi
	provides=$(dpkg-deb -f "$xen_deb" Provides)
	[ "$provides" = "xen-hypervisor, xen-hypervisor-4.17, xen-hypervisor-amd64" ] &&
		ok "it provides what Debian's does: $provides" || fail "it provides '$provides'"
	for script in postinst postrm; do
		grep -q 'update-grub' "$x/ctl/$script" && ok "its $script runs update-grub" ||
			fail "its $script does not run update-grub"
	done
fi

[ $failed -eq 0 ] && { echo "debs: PASS"; exit 0; }
echo "debs: FAIL"
exit 1
