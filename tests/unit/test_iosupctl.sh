#!/usr/bin/env bash
# iosupctl end to end against a real control socket served by
# ctl-test-server (the real server and protocol, a made-up daemon state):
# every verb's output and exit code, --json, and strict argument parsing.
# Usage: test_iosupctl.sh IOSUPCTL CTL-TEST-SERVER
set -euo pipefail
iosupctl=$1
server=$2

dir=$(mktemp -d /tmp/test-iosupctl.XXXXXX)
sock=$dir/control
server_pid=
cleanup() {
	[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
	[ -z "$server_pid" ] || wait "$server_pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

. "$(dirname "$0")/iosupctl-run.sh"

# Before the server: not running.
run 3 status
has "iosupd is not running"

"$server" "$sock" &
server_pid=$!
# Up to 30 s: a sanitized build on a host busy with emulators starts slowly.
for _ in $(seq 600); do
	[ -S "$sock" ] && break
	sleep 0.05
done
[ -S "$sock" ] || fail "the test server did not start"

run 0
has "iosupd: running"
has "memory: 600.0 KiB of 64.0 MiB"
has "web-frontend"
run 0 status
# The table's columns line up: every row as wide as the header.
widths=$(printf '%s\n' "$out" | sed -n '/DOMID/,$p' | awk '{ print length($0) }' | sort -u | wc -l)
[ "$widths" -eq 1 ] || fail "the table's rows are not all as wide as its header"
row=$(printf '%s\n' "$out" | grep -E '^ +0  Domain-0')
case $row in
*"enforce"*" 126 "*" 384 "*" 192 "*" 123456 "*" 4.5") ;;
*) fail "Domain-0's row: $row" ;;
esac

run 0 domains
has "    7  -"
# A domain by its name: looked up in iosupd's list, then asked for.
run 0 show web-frontend
has "domain 3: web-frontend"
run 0 explain web-frontend
run 1 show no-such-domain
has "iosupd manages no domain named 'no-such-domain'"
run 0 --json domains
has '"domains":[{"domid":0,"name":"Domain-0","mode":"enforce","pool":126,"limit":384,"misses":192,"psi":123456,"flush_rate":4.500}'
run 0 status --json
has '{"version":1,"ok":true,"status":{"state":"running","reason":"","period_ms":2000'

run 0 show 0
has "domain 0: Domain-0"
has "iotlb: 123456 page, 2 domain, 0 global, 0 skipped; device-iotlb: 0; failed: 0; waited 98.765 ms"
has "4 pgd"
run 0 show 3 --json
has '"domain":{"domid":3,"name":"web-frontend","mode":"observe","levels":null,"xen":null,"flush_rate":null,"policy":null}'
run 1 show 5
has "iosupd: domain 5 is not managed by iosupd (no-such-domain)"
run 1 show 5 --json
has '{"version":1,"ok":false,"error":{"code":"no-such-domain"'

run 0 explain 0
has "L1       0 -> 96      grow"
has "bound: max_pages"
has "(observe: not applied)"
run 0 explain 3
has "no decisions yet"

run 0 top --batch -n 2 -d 0.1
[ "$(printf '%s\n' "$out" | grep -c '^DOMID')" -eq 2 ] || fail "top -n 2 printed other than 2 tables"
run 0 top -b -n 3 -d 0.1 --json
[ "$(printf '%s\n' "$out" | grep -c '^{"version":1,"ok":true,"domains"')" -eq 3 ] ||
	fail "top --json -n 3 printed other than 3 replies"

run 0 pause
has "iosupd: paused"
run 0 status
has "iosupd: paused"
run 0 resume
has "iosupd: running"
run 0 reload
touch "$sock.fail-reload"
run 1 reload
has "period_ms: '1' is not a number"
has "(failed)"
rm "$sock.fail-reload"

# Usage errors: exit 2, the culprit named, nothing sent.
run 2 frobnicate
has "unknown verb 'frobnicate'"
run 2 --frob
has "unknown option '--frob'"
run 2 show
has "needs one domain id"
run 2 show 32752
has "'32752' is not a domain id (0 to 32751)"
run 2 show -- -1
has "'-1' is not a domain id"
run 2 explain 1 2
has "needs one domain id"
run 2 status extra
has "takes no arguments, not 'extra'"
run 2 top -d 0
has "-d: '0' is not a delay in seconds"
run 2 top -n x
has "-n: 'x' is not a number of iterations"
run 2 pause --now
has "unknown option '--now'"
run 2 policy set 3 mode=fast
has "mode: 'fast' is not enforce, observe or off"
run 2 policy set 3 colour=blue
has "'colour': not a policy key"
run 2 policy set default min_pages=9 max_pages=8
has "min_pages (9) is above max_pages (8)"
run 2 policy set 3 max_pages=1 max_pages=2
has "max_pages is given twice"
run 2 policy set 3
has "set needs at least one KEY=VALUE"
run 2 policy get 99999999
has "'99999999' is not a domain id"
run 2 policy get "$(printf 'n%.0s' $(seq 70))"
has "is longer than a domain's name can be"
# A name is looked up in xenstore, which this host has not.
run 3 policy get dom3
has "looking up the domain 'dom3'"
run 2 policy frob 3
has "'frob' is not get, set or unset"

# Permission: a user who may not open the socket.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$dir"
	rc=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$iosupctl" --socket "$sock" status 2>&1) || rc=$?
	echo "+ (as nobody) iosupctl status: exit $rc: $out"
	[ "$rc" -eq 4 ] || fail "as nobody: exit $rc, expected 4"
	grep -qF "permission denied" <<<"$out" || fail "as nobody: no 'permission denied'"
else
	echo "(not root: the permission check is in test-ctl-server creds)"
fi

echo "PASS"
