# iosup as an operator runs it, after the reboot that follows scenario
# systemd-service (same disk). In order:
#   boot      `systemctl enable` held: iosupd is active, with the module
#             loaded, started after xen.service was up; nothing iosupd or
#             systemd said about it this boot is at warning or above
#   metrics   Debian's prometheus-node-exporter serves iosupd's series on
#             the loopback address, and they are what `iosupctl status
#             --json` and `iosupctl show 0 --json` say: read between two
#             scrapes of the same period (iosupd answers between periods,
#             from the period's own figures), they must be equal; the
#             period is made 10 s long for it (a reload)
#   packages  the running kernel is linux-image-RELEASE's (uname -r ends
#             in -iosup), the module DKMS built against
#             linux-headers-RELEASE; the hypervisor's package, configured
#             again (dpkg-reconfigure runs its postinst, update-grub),
#             leaves a GRUB entry that loads its hypervisor (multiboot2)
#             and that kernel (module2) with GRUB's Xen script's defaults
# Figures for the host: IOSUP-SYSTEMD <what> key=value...
. /usr/local/lib/iosup-rig/guest.sh
URL=http://127.0.0.1:9100/metrics
failed=0

fail() { echo "systemd: FAIL: $*"; failed=1; }
ok() { echo "systemd: ok: $*"; }
prop() { systemctl show -p "$2" --value "$1"; }

echo "== boot"
[ "$(systemctl is-enabled iosupd)" = enabled ] && [ "$(systemctl is-active iosupd)" = active ] &&
	ok "enabled, and active after the reboot" ||
	fail "iosupd is $(systemctl is-enabled iosupd) and $(systemctl is-active iosupd) after the reboot"
[ -d /sys/module/iosup ] && ok "the module is loaded" || fail "the module is not loaded"
xen_up=$(prop xen.service ActiveEnterTimestampMonotonic)
iosupd_start=$(prop iosupd ExecMainStartTimestampMonotonic)
iosupd_up=$(prop iosupd ActiveEnterTimestampMonotonic)
[ "$xen_up" -gt 0 ] && [ "$iosupd_start" -ge "$xen_up" ] &&
	ok "iosupd started $(((iosupd_start - xen_up) / 1000)) ms after xen.service was up" ||
	fail "iosupd started at ${iosupd_start} us, xen.service up at ${xen_up} us"
echo "IOSUP-SYSTEMD boot iosupd_active_ms=$((iosupd_up / 1000)) xen_active_ms=$((xen_up / 1000)) ready_after_exec_ms=$(((iosupd_up - iosupd_start) / 1000))"
# The journal of this boot at warning or above: iosupd's unit, and every
# other line that names iosup (systemd on the unit, the kernel on the
# module). One is the kernel's and expected: an out-of-tree module (DKMS's)
# taints the kernel, said once at its first load. The rig's own marks
# (guest.sh's mark(), at crit for the console) are not the system's.
TAINT='iosup: loading out-of-tree module taints kernel.'
unit_lines=$(journalctl -b -u iosupd -p warning -o cat)
other=$(journalctl -b -p warning -o cat | grep -i iosup | grep -vxF "$TAINT" | grep -v '^IOSUP-MARK ')
all=$(journalctl -b -p warning -o cat | grep -c .)
echo "IOSUP-SYSTEMD journal warnings_this_boot=$all"
journalctl -b -p warning -o short-monotonic | sed 's/^/  | /' | head -n 30
[ -z "$unit_lines" ] && ok "iosupd's unit logged nothing at warning or above" ||
	fail "iosupd's unit at warning or above: $unit_lines"
[ -z "$other" ] && ok "nothing else about iosup at warning or above" ||
	fail "about iosup at warning or above: $other"

echo "== metrics"
[ "$(systemctl is-active prometheus-node-exporter)" = active ] &&
	ok "prometheus-node-exporter is active" ||
	fail "prometheus-node-exporter is $(systemctl is-active prometheus-node-exporter)"
# scrape FILE: node-exporter's iosup series into FILE; their period.
scrape() {
	curl -sf --max-time 20 "$URL" | grep '^iosup_' >"$1"
	awk '$1 == "iosup_periods_total" { print $2 }' "$1"
}
# metric FILE NAME [LEVEL]: dom0's series NAME (of LEVEL), its value; one
# series must match. node-exporter writes the labels in its own order
# (sorted by name), so each is looked for on its own.
metric() {
	awk -v name="$2" -v level="$3" '
		index($1, name "{") != 1 { next }
		index($1, "domid=\"0\"") == 0 || index($1, "domain=\"Domain-0\"") == 0 { next }
		level != "" && index($1, "level=\"" level "\"") == 0 { next }
		level == "" && index($1, "level=") != 0 { next }
		{ v = $2; n++ }
		END { if (n == 1) print v }' "$1"
}
# add A B: A + B, or the check fails and the sum says so.
add() {
	case $1 in '' | *[!0-9]*) echo x; return ;; esac
	case $2 in '' | *[!0-9]*) echo x; return ;; esac
	echo $(($1 + $2))
}
# Two scrapes, two iosupctl calls and their jq take longer than a
# default period under QEMU's TCG: a longer period, applied by a reload
# (which returns once iosupd runs it).
sed -i '/^period_ms/d' /etc/iosup/iosupd.conf
printf 'period_ms = 10000\n' >>/etc/iosup/iosupd.conf
systemctl reload iosupd || fail "systemctl reload iosupd (period_ms = 10000)"
same=0 try=0
while [ $try -lt 10 ] && [ $same -eq 0 ]; do
	try=$((try + 1))
	p1=$(scrape /tmp/scrape1)
	st=$(iosupctl status --json)
	sh=$(iosupctl show 0 --json)
	p2=$(scrape /tmp/scrape2)
	[ -n "$p1" ] && [ "$p1" = "$p2" ] && same=1
done
echo "IOSUP-SYSTEMD metrics tries=$try period=$p2 series=$(grep -c . /tmp/scrape2)"
[ $same -eq 1 ] || fail "no two scrapes of one period in $try tries (periods $p1, $p2)"
# check WHAT METRIC_VALUE JSON_VALUE
check() {
	if [ -n "$2" ] && [ "$2" = "$3" ]; then
		checked=$((checked + 1))
	else
		fail "$1: node-exporter says '$2', iosupctl '$3'"
	fi
}
checked=0
if [ $same -eq 1 ]; then
	sum_pool=0 sum_limit=0 sum_misses=0
	for l in 1 2 3 4; do
		lv=".domain.levels[] | select(.level == $l)"
		for f in pool:iosup_pool_tables limit:iosup_pool_limit_tables \
			hits:iosup_pool_hits_total misses:iosup_pool_misses_total; do
			m=$(metric /tmp/scrape2 "${f#*:}" "$l")
			check "L$l ${f%%:*}" "$m" "$(printf '%s\n' "$sh" | jq -r "$lv | .${f%%:*}")"
			case ${f%%:*} in
			pool) sum_pool=$(add "$sum_pool" "$m") ;;
			limit) sum_limit=$(add "$sum_limit" "$m") ;;
			misses) sum_misses=$(add "$sum_misses" "$m") ;;
			esac
		done
	done
	for f in unmaps:iosup_xen_type_change_unmaps_total maps:iosup_xen_type_change_maps_total \
		psi:iosup_xen_iotlb_page_invalidations_total; do
		check "xen ${f%%:*}" "$(metric /tmp/scrape2 "${f#*:}")" \
			"$(printf '%s\n' "$sh" | jq -r ".domain.xen.${f%%:*}")"
	done
	d0='.domains[] | select(.domid == 0)'
	check "status pool" "$sum_pool" "$(printf '%s\n' "$st" | jq -r "$d0 | .pool")"
	check "status limit" "$sum_limit" "$(printf '%s\n' "$st" | jq -r "$d0 | .limit")"
	check "status misses" "$sum_misses" "$(printf '%s\n' "$st" | jq -r "$d0 | .misses")"
	check "status psi" "$(metric /tmp/scrape2 iosup_xen_iotlb_page_invalidations_total)" \
		"$(printf '%s\n' "$st" | jq -r "$d0 | .psi")"
	[ $checked -eq 23 ] && ok "node-exporter's iosup series equal iosupctl's JSON ($checked values, period $p2)" ||
		fail "$checked of 23 values agreed"
	sed 's/^/  | /' /tmp/scrape2 | head -n 40
fi

echo "== packages"
XEN_PKG=xen-hypervisor-4.17-iosup-amd64
XEN_GZ=/boot/xen-4.17-iosup-amd64.gz
rel=$(uname -r)
case $rel in
*-iosup) ok "the running kernel is $rel" ;;
*) fail "the running kernel is $rel, not the series' -iosup" ;;
esac
owner=$(dpkg-query -S "/boot/vmlinuz-$rel" 2>/dev/null | cut -d: -f1)
[ "$owner" = "linux-image-$rel" ] && ok "/boot/vmlinuz-$rel is linux-image-$rel's" ||
	fail "/boot/vmlinuz-$rel belongs to '${owner:-no package}'"
# DKMS's line for the module: "iosup/VERSION, RELEASE, x86_64: installed"
# (its stderr left out: dkms 3.0.10 says "echo: write error: Broken pipe"
# from a pipe of its own).
dkms=$(dkms status -m iosup -k "$rel" 2>/dev/null | grep '^iosup/' || true)
case $dkms in
"iosup/"*", $rel, x86_64: installed") ok "DKMS: $dkms" ;;
*) fail "DKMS has no iosup installed for $rel: '$dkms'" ;;
esac
headers=$(readlink -f "/lib/modules/$rel/build")
owner=$(dpkg-query -S "$headers" 2>/dev/null | cut -d: -f1)
[ "$owner" = "linux-headers-$rel" ] && ok "the module's build tree $headers is linux-headers-$rel's" ||
	fail "the build tree $headers belongs to '${owner:-no package}'"
# What an operator's machine does when the package is installed: its
# postinst runs update-grub where GRUB is (/boot/grub).
mkdir -p /boot/grub
rm -f /boot/grub/grub.cfg
dpkg-reconfigure -f noninteractive "$XEN_PKG" >/tmp/reconfigure.log 2>&1 ||
	fail "dpkg-reconfigure $XEN_PKG: exit $?"
# entries: how many menu entries load the package's hypervisor and then
# this kernel, with dom0's and the kernel's command lines.
entries=$(awk -v xen="$XEN_GZ" -v linux="/boot/vmlinuz-$rel" '
	/^[[:space:]]*(menuentry|submenu) / { x = 0 }
	$1 == "multiboot2" && $2 == xen { x = 1 }
	$1 == "module2" && $2 == linux && x && / root=/ { n++ }
	END { print n + 0 }' /boot/grub/grub.cfg 2>/dev/null)
echo "IOSUP-SYSTEMD grub entries=${entries:-0}"
if [ "${entries:-0}" -ge 1 ]; then
	ok "GRUB's menu: $entries entries load $XEN_GZ with /boot/vmlinuz-$rel"
else
	fail "GRUB's menu has no entry loading $XEN_GZ with /boot/vmlinuz-$rel"
	sed 's/^/  | /' /tmp/reconfigure.log | tail -n 20
	grep -nE 'menuentry|multiboot|module2' /boot/grub/grub.cfg 2>/dev/null | sed 's/^/  | /' | head -n 20
fi
exit $failed
