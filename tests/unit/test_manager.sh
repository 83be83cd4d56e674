#!/usr/bin/env bash
# The real manager (on a stub Xen, with the pool module and xenstore
# absent, as on this host) driven by the real iosupctl and by signals:
# the degraded modes said in the status, the domain list with Xen's
# counters, pause and resume, reload (good and bad), --observe, a
# hypervisor without the counters, sd_notify, the metrics file (written
# each period, no temp file left; a missing directory said once), a
# clean stop that removes the socket, policy.d's bad files, and
# control_group's users.
# Usage: test_manager.sh MANAGER-HARNESS IOSUPCTL
set -euo pipefail
harness=$1
iosupctl=$2

dir=$(mktemp -d /tmp/test-manager.XXXXXX)
sock=$dir/control
conf=$dir/iosupd.conf
pid=
listener=
cleanup() {
	[ -z "$listener" ] || kill "$listener" 2>/dev/null || true
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	[ -z "$pid" ] || wait "$pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ ! -f "$dir/log" ] || sed 's/^/    log: /' "$dir/log" >&2
	exit 1
}

. "$(dirname "$0")/iosupctl-run.sh"

logged() {
	grep -qF -- "$1" "$dir/log" || fail "expected '$1' in the log"
}

# start [ENV=VALUE...]: the harness (with --observe if $observe is set),
# once it answers on its socket.
start() {
	local i
	env "$@" "$harness" "$sock" "$conf" ${observe:+--observe} 2>"$dir/log" &
	pid=$!
	for i in $(seq 300); do
		if "$iosupctl" --socket "$sock" status >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	fail "the manager did not answer on $sock"
}

stop() {
	local rc=0
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	pid=
	[ "$rc" -eq 0 ] || fail "the manager exited $rc after SIGTERM"
	[ ! -e "$sock" ] || fail "the control socket outlived the manager"
	logged "SIGTERM: stopping"
}

mkdir "$dir/metrics"
printf 'period_ms = 500\nmax_pages = 1000\nmetrics_dir = %s\n' "$dir/metrics" >"$conf"

# Counters, but no module and no xenstore: running, and saying what is missing.
observe=
start IOSUP_STUB_XEN=counters
run 0 status --json
has '"state":"running"'
has '"reason":"pool unavailable; xenstore unavailable, config policy only"'
has '"period_ms":500'
has '"domains":2'
logged "pool unavailable: the iosup module is not loaded"
logged "xenstore unavailable"
run 0 domains
has "Domain-0"
has "    3  -"
sleep 1.2	# two periods more: a flush rate
run 0 show 0 --json
has '"domid":0'
has '"levels":null'
has '"flush_rate":'
run 1 show 5
has "no-such-domain"
prom=$dir/metrics/iosup.prom
[ -f "$prom" ] || fail "no $prom after three periods"
grep -qE '^iosup_xen_iotlb_page_invalidations_total\{domid="0",domain="Domain-0"\} [1-9][0-9]*$' "$prom" ||
	fail "no dom0 invalidations in $prom: $(cat "$prom")"
grep -qE '^iosup_periods_total ([2-9]|[1-9][0-9]+)$' "$prom" || fail "periods in $prom: $(cat "$prom")"
grep -q '^iosup_pool_' "$prom" && fail "pool series without a pool: $(cat "$prom")"
[ "$(ls -A "$dir/metrics")" = iosup.prom ] || fail "left in the metrics directory: $(ls -A "$dir/metrics")"
# The real file as Prometheus reads it (the metrics-promtool test fails without promtool).
if command -v promtool >/dev/null; then
	promtool check metrics <"$prom" || fail "promtool check metrics: $(cat "$prom")"
fi

run 0 pause
has "iosupd: paused"
run 0 status --json
has '"state":"paused"'
has '"reason":"paused by an operator; pool unavailable'
run 0 resume
has "iosupd: running"
logged "resumed by an operator"

# Reload: a good file is taken, a bad one refused and the running one kept.
printf 'period_ms = 700\nmetrics_dir =\n' >"$conf"
kill -HUP "$pid"
for i in $(seq 100); do grep -qF "period 700 ms" "$dir/log" && break; sleep 0.1; done
run 0 status --json
has '"period_ms":700'
# Metrics off: the file nobody writes any more is gone.
[ ! -e "$prom" ] || fail "$prom outlived metrics_dir's change"
printf 'period_ms = 700\nmetrics_dir =\nmode = sometimes\n' >"$conf"
run 1 reload
has "$conf:3: mode"
run 0 status --json
has '"period_ms":700'
logged "keeping the running configuration"
stop

# A hypervisor without the counters: observe-only, said why. The metrics
# directory is missing: said once, at info, and the periods go on.
printf 'period_ms = 500\nmetrics_dir = %s\n' "$dir/nowhere" >"$conf"
start IOSUP_STUB_XEN=nocounters
sleep 1.2
[ "$(grep -c "metrics: $dir/nowhere does not exist" "$dir/log")" = 1 ] ||
	fail "a missing metrics directory not said exactly once"
run 0 status --json
has '"state":"observe-only"'
has '"reason":"hypervisor without the counters; pool unavailable'
has '"domains":1'
logged "observe-only"
stop

# sd_notify: READY=1 after the first period's STATUS=, WATCHDOG=1 from
# the event loop (a quarter of WATCHDOG_USEC apart: within the 1.1 s the
# daemon runs here), RELOADING=1 then READY=1 around a reload, STOPPING=1.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".bound", "w").close()
with open(sys.argv[2], "w") as out:
    while True:
        m = s.recv(4096).decode()
        out.write(m.replace("\n", " ") + "\n")
        out.flush()
        if m.startswith("STOPPING=1"):
            break
' "$dir/notify" "$dir/notified" &
listener=$!
for i in $(seq 300); do [ -e "$dir/notify.bound" ] && break; sleep 0.1; done
start IOSUP_STUB_XEN=counters NOTIFY_SOCKET="$dir/notify" WATCHDOG_USEC=2000000
sleep 0.8
kill -HUP "$pid"
sleep 0.3
stop
wait "$listener"
listener=
sed 's/^/    notify: /' "$dir/notified"
first_ready=$(grep -n '^READY=1' "$dir/notified" | head -1 | cut -d: -f1)
[ -n "$first_ready" ] || fail "no READY=1"
sed -n "$((first_ready - 1))p" "$dir/notified" | grep -q '^STATUS=running.*2 domains' ||
	fail "READY=1 before the first period's STATUS="
grep -q '^WATCHDOG=1' "$dir/notified" || fail "the watchdog was not fed"
grep -A2 '^RELOADING=1 MONOTONIC_USEC=' "$dir/notified" | grep -q '^READY=1' ||
	fail "no READY=1 after RELOADING=1"
tail -1 "$dir/notified" | grep -q '^STOPPING=1' || fail "no STOPPING=1 last"

# --observe: observe-only whatever the policy says.
observe=1
start IOSUP_STUB_XEN=counters
run 0 status --json
has '"state":"observe-only"'
has 'observing only (--observe)'
stop
observe=

# policy.d beside the config file: a bad file is said with its line and
# left out, at the start and on a reload (which then exits 1); the
# effective policy says where each value comes from. (Files are matched by
# domain name or UUID, which come from xenstore: the rig's daemon test.)
mkdir -p "$dir/policy.d"
printf 'name = web\nmax_pages = 8192\n' >"$dir/policy.d/10-web.conf"
printf 'name = db\nmode = sometimes\n' >"$dir/policy.d/20-db.conf"
printf 'metrics_dir =\nmax_pages = 2048\n' >"$conf"
start IOSUP_STUB_XEN=counters
logged "policy: $dir/policy.d/20-db.conf:2: mode: 'sometimes' is not enforce, observe or off; nothing of it applied"
logged "policy: 1 file(s) from $dir/policy.d"
run 0 show 0
has "policy max_pages: 2048 (from $conf)"
has "policy mode: enforce (from built-in default)"
has "policy target_flush_rate: 0 (from built-in default)"
run 0 show 0 --json
has '"policy":{"mode":"enforce","min_pages":0,"max_pages":2048,"target_flush_rate":0,"from":{"mode":"'
printf 'uuid = 0b7c1e2a-0000-4000-8000-00163e5a9f01\nmax_pages = 1\n' >"$dir/policy.d/20-db.conf"
run 0 reload
printf 'name = web\n' >"$dir/policy.d/30-web-too.conf"
run 1 reload
has "1 policy file(s) left out; the first: $dir/policy.d/30-web-too.conf: name 'web' is already named by 10-web.conf"
stop
rm -r "$dir/policy.d"

# control_group: a member of the group (primary or supplementary) is let
# in, anyone else is refused (exit 4); a reload to no group leaves root
# alone. The users are made with setpriv, so this needs root.
as_user() {
	local want=$1 rc=0
	shift
	out=$(setpriv --reuid=65534 "$@" "$iosupctl" --socket "$sock" status 2>&1) || rc=$?
	echo "+ (uid 65534 $*) iosupctl status: exit $rc: $out"
	[ "$rc" -eq "$want" ] || fail "uid 65534 $*: exit $rc, expected $want"
}
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && getent group nogroup >/dev/null; then
	chmod 755 "$dir"
	printf 'metrics_dir =\ncontrol_group = nogroup\n' >"$conf"
	start IOSUP_STUB_XEN=counters
	[ "$(stat -c %a "$sock")" = 666 ] || fail "with a group, the socket is mode $(stat -c %a "$sock"), not 666"
	as_user 0 --regid=65534 --clear-groups
	as_user 0 --regid=1 --groups=65534
	as_user 4 --regid=1 --clear-groups
	grep -qF "only root and group 65534" <<<"$out" || fail "the refusal does not name the group"
	printf 'metrics_dir =\n' >"$conf"
	run 0 reload
	logged "the control socket now lets in root alone"
	[ "$(stat -c %a "$sock")" = 600 ] || fail "without a group, the socket is mode $(stat -c %a "$sock"), not 600"
	as_user 4 --regid=65534 --clear-groups
	printf 'metrics_dir =\ncontrol_group = iosup-no-such-group\n' >"$conf"
	run 1 reload
	has "$conf:2: control_group: no group 'iosup-no-such-group' on this host"
	stop
else
	echo "(not root: control_group's users are checked in test-ctl-server creds)"
fi
echo "manager: all passed"
