#!/usr/bin/env bash
# systemd-analyze verify on iosupd.service: any warning fails. iosupd may
# not be installed where ExecStart points (it is not, in a build tree), and
# verify insists that it exists, so ExecStart is pointed at /bin/true in a
# copy; everything else is checked as it will be installed. Then the
# sandbox's exposure score (systemd-analyze security, offline).
# Usage: test_unit_file.sh BUILT-UNIT
set -euo pipefail
unit=$1

command -v systemd-analyze >/dev/null || { echo "FAIL: no systemd-analyze" >&2; exit 1; }
dir=$(mktemp -d /tmp/test-unit-file.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# The same for ExecReload= (iosupctl).
cp "$unit" "$dir/iosupd.service"
for key in ExecStart ExecReload; do
	cmd=$(sed -n "s/^$key=\([^ ]*\).*/\1/p" "$unit")
	if [ ! -x "$cmd" ]; then
		echo "$cmd is not installed: verifying with $key=/bin/true instead"
		sed -i "s|^$key=.*|$key=/bin/true|" "$dir/iosupd.service"
	fi
done

rc=0
out=$(cd "$dir" && SYSTEMD_LOG_LEVEL=info systemd-analyze verify --man=no ./iosupd.service 2>&1) || rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
	echo "FAIL: systemd-analyze verify: exit $rc, or it said something" >&2
	exit 1
fi

# What the unit must say, whatever verify thinks of it.
# systemd 252 waits for no signalled reload: iosupctl's waits for iosupd.
grep -qxE 'ExecReload=/([^ ]+/)?sbin/iosupctl reload' "$unit" ||
	{ echo "FAIL: ExecReload= is not iosupctl reload" >&2; exit 1; }
for line in Type=notify RuntimeDirectory=iosupd \
	ConditionPathExists=/proc/xen/capabilities CapabilityBoundingSet=CAP_NET_ADMIN \
	DevicePolicy=closed 'RestrictAddressFamilies=AF_UNIX AF_NETLINK' ProtectSystem=strict \
	ReadWritePaths=-/var/lib/prometheus/node-exporter; do
	grep -qxF "$line" "$unit" || { echo "FAIL: '$line' is not in the unit" >&2; exit 1; }
done
# Debian 12 starts xenstored and mounts xenfs from xen.service.
grep -qE '^After=.*\bxen\.service\b' "$unit" ||
	{ echo "FAIL: the unit is not ordered after xen.service" >&2; exit 1; }
if grep -q 'xenstored\.socket' <(grep -v '^#' "$unit"); then
	echo "FAIL: the unit orders on xenstored.socket" >&2
	exit 1
fi
# The sandbox's exposure as systemd scores it: at most 2.5 (the unit's
# options are all shown to let iosupd work in the rig).
rc=0
score=$(cd "$dir" && systemd-analyze security --offline=yes --threshold=25 ./iosupd.service 2>&1) || rc=$?
exposure=$(sed -n 's/.*Overall exposure level for iosupd.service: \([0-9.]*\).*/\1/p' <<<"$score")
echo "systemd-analyze security: exposure ${exposure:-none said} (exit $rc)"
[ "$rc" -eq 0 ] && [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.5) }' ||
	{ printf '%s\n' "$score" | grep '✗' >&2; echo "FAIL: exposure '${exposure:-none}' is not at most 2.5" >&2; exit 1; }
echo PASS
