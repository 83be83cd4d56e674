# The module's load and unload against its own controls:
#   stats read without a pause while the module loads and unloads, fifty
#   times: the pools' locks must be usable before the module's init runs
#   (a read that beats it takes an uninitialised lock: "spinlock bad
#   magic", a lockdep report);
#   a parameter write (enabled=0) draining the pools when rmmod is
#   started: its event must reach a listener, so the family must outlive
#   every control that can notify (the unload waits for the write, then
#   stops the controls, and unregisters the family last);
#   the pools switched off and on 20 times under two fork+exit storms:
#   no table kept for a pool may arrive after its switch-off returned.
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
# before the file exists to after it is gone, by two readers: one per
# vCPU. (With one, fifty loads of a module that set its locks up in init
# went unnoticed; with two, a run saw the bad lock at the sixth load.)
(while :; do read -r _ <$param/stats; done) 2>/dev/null &
readers=$!
(while :; do read -r _ <$param/stats; done) 2>/dev/null &
readers="$readers $!"
i=0
while [ $i -lt 50 ]; do
	insmod "$ko" || { kill $readers; fail "insmod $i"; }
	rmmod iosup || { kill $readers; fail "rmmod $i"; }
	i=$((i + 1))
done
kill $readers
wait $readers 2>/dev/null
[ "$(lock_reports)" = "$reports" ] || { dmesg | tail -n 40; fail "a lock report while stats was read across 50 loads"; }
echo "pool-exit: stats read across 50 loads and unloads, no lock report"

# A warm L1 pool of some 8,000 tables (a process with a page every 2 MiB
# over 8 GiB, and its fork): switching the pools off unregisters them from
# the kernel (a wait for tables in flight) and gives every table back, all
# under the controls' lock; rmmod is started as soon as the write holds it.
# (On this rig the write has been seen to finish before rmmod gets to the
# family, so this guards the order rather than proving the race.)
insmod "$ko" || fail "insmod"
$nl limit 1 16384 || fail "limit 1 16384"
iosup-lat-proc -s 4096 -n 2 -w 0 fork-exit >/dev/null || fail "the spread process"
pooled=$(field 1 pool)
echo "pool-exit: $pooled L1 tables pooled"
[ "${pooled:-0}" -ge 7000 ] || fail "only ${pooled:-no} L1 tables pooled after the spread process"

$nl events 60 >/tmp/exit-events 2>&1 &
listener=$!
sleep 1
grep -q listening /tmp/exit-events || fail "the events listener did not start"
echo "pool-exit: enabled=0"
echo 0 >$param/enabled &
writer=$!
# The L1 pool is the first emptied once the pools are off the kernel's
# hooks; its tables and every other level's are given back after that,
# still under the lock. Watched by the shell itself (no fork per read), so
# that rmmod starts as soon as the write holds the lock.
i=0
while :; do
	{ read -r _; read -r _ n _; } <$param/stats
	[ "$n" != 0 ] || break
	i=$((i + 1))
	[ $i -lt 1000000 ] || fail "the write did not empty the L1 pool"
done
echo "pool-exit: the L1 pool is empty, rmmod"
rmmod iosup || fail "rmmod with a write in flight"
echo "pool-exit: rmmod returned"
wait $writer || fail "the enabled=0 write failed"
sleep 1
kill $listener 2>/dev/null
wait $listener 2>/dev/null
cat /tmp/exit-events
grep -q ' event=3 enabled=0' /tmp/exit-events ||
	fail "the event of a write in flight at rmmod was not sent"
[ "$(lock_reports)" = "$reports" ] || { dmesg | tail -n 40; fail "a lock report at unload"; }
echo "pool-exit: the event of a write in flight at rmmod reached the listener"

# Unregistering with tables in flight: a fork+exit storm on each vCPU while
# the pools are switched off (unregistered and drained) and on again, 20
# times. A table kept for a pool sits in its exiting owner's mmu_gather
# batch, then in an RCU grace period; every one must have arrived when the
# switch-off returns, and the kernel warns of any that arrives later.
late() { dmesg | grep -c 'arrived after it unregistered'; }
before=$(late)
insmod "$ko" || fail "insmod for the switch storm"
iosup-lat-proc -n 1000000 -w 0 fork-exit >/dev/null 2>&1 &
storms=$!
iosup-lat-proc -n 1000000 -w 0 fork-exit >/dev/null 2>&1 &
storms="$storms $!"
sleep 1
i=0
while [ $i -lt 20 ]; do
	echo 0 >$param/enabled || { kill $storms; fail "switch-off $i"; }
	echo 1 >$param/enabled || { kill $storms; fail "switch-on $i"; }
	i=$((i + 1))
done
# Both storms ran throughout: kill fails for a process that already ended.
kill $storms || fail "a fork+exit storm ended before the switches did"
wait 2>/dev/null
rmmod iosup || fail "rmmod after the switch storm"
sleep 1
[ "$(late)" = "$before" ] || { dmesg | tail -n 20; fail "a table kept for the pool arrived after it unregistered"; }
echo "pool-exit: 20 switch-offs under two fork+exit storms, no table arrived late"
exit 0
