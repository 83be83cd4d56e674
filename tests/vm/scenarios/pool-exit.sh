# The module's load and unload against its own controls:
#   stats read without a pause while the module loads and unloads, twenty
#   times: the pools' locks must be usable before the module's init runs
#   (a read that beats it takes an uninitialised lock: "spinlock bad
#   magic", a lockdep report);
#   a parameter write still draining the pools when rmmod starts: its
#   event must reach a listener, so the family must outlive every control
#   that can notify (the unload waits for the write, then stops the
#   controls, and unregisters the family last).
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
nl=$(command -v iosup-pool || echo /lib/modules/extra/iosup-pool)
param=/sys/module/iosup/parameters
fail() { echo "pool-exit: FAIL: $*" >&2; exit 1; }
[ -f "$ko" ] || fail "$ko is missing"
[ -x "$nl" ] || fail "no iosup-pool client"

# The kernel's own reports of a lock used before its init, which the rig's
# console check catches too; said here so that the scenario fails by itself.
lock_reports() {
	dmesg | grep -cE 'spinlock bad magic|non-static key|iosup: L[0-9]'
}
reports=$(lock_reports)

# field LEVEL NAME: a counter of a level, from the netlink dump.
field() {
	$nl show | awk -v l="level=$1" -v k="$2=" '
		{ for (i = 1; i <= NF; i++) { if ($i == l) hit = 1; if (hit && index($i, k) == 1) { print substr($i, length(k) + 1); exit } } hit = 0 }'
}

# The stats read in a loop by the shell itself (no fork per read), from
# before the file exists to after it is gone.
(while :; do read -r _ <$param/stats; done) 2>/dev/null &
reader=$!
i=0
while [ $i -lt 20 ]; do
	insmod "$ko" || { kill $reader; fail "insmod $i"; }
	rmmod iosup || { kill $reader; fail "rmmod $i"; }
	i=$((i + 1))
done
kill $reader
wait $reader 2>/dev/null
[ "$(lock_reports)" = "$reports" ] || { dmesg | tail -n 40; fail "a lock report while stats was read across 20 loads"; }
echo "pool-exit: stats read across 20 loads and unloads, no lock report"

# A warm L1 pool, thousands of tables: giving them back takes the writer
# long enough that rmmod starts meanwhile.
insmod "$ko" || fail "insmod"
$nl limit 1 16384 || fail "limit 1 16384"
i=0 pids=
while [ $i -lt 500 ]; do
	sleep 600 &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 2
kill $pids
wait 2>/dev/null
sleep 1
pooled=$(field 1 pool)
echo "pool-exit: $pooled L1 tables pooled"
[ "${pooled:-0}" -ge 1000 ] || fail "only ${pooled:-no} L1 tables pooled after 500 exits"

$nl events 60 >/tmp/exit-events 2>&1 &
listener=$!
sleep 1
grep -q listening /tmp/exit-events || fail "the events listener did not start"
# The default limit, written with no lease running, is the limit in force:
# the write drains the pool and tells the events group.
echo 0 >$param/limit_l1 &
writer=$!
# The pool is emptied at once, then its tables are released one by one
# under the controls' lock; rmmod starts while that runs.
i=0
while [ "$(awk '$1 == "L1" { print $2 }' $param/stats)" != 0 ]; do
	[ $i -lt 200 ] || fail "the write did not empty the L1 pool in 20 s"
	sleep 0.1
	i=$((i + 1))
done
rmmod iosup || fail "rmmod with a write in flight"
wait $writer || fail "the limit_l1 write failed"
sleep 1
kill $listener 2>/dev/null
wait $listener 2>/dev/null
cat /tmp/exit-events
grep -q ' event=1 level=1 .* limit=0 ' /tmp/exit-events ||
	fail "the limit event of a write in flight at rmmod was not sent"
[ "$(lock_reports)" = "$reports" ] || { dmesg | tail -n 40; fail "a lock report at unload"; }
echo "pool-exit: the event of a write in flight at rmmod reached the listener"
exit 0
