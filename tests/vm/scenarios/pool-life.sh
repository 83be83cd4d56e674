# The pool over its life: filled by many processes exiting at once, shrunk
# by memory pressure (stress-ng) with the event on the multicast group, a
# lease that runs out, and an unload that gives every page back. Asserts
# what it can see in dom0 and prints, for the host:
#   IOSUP-PRESSURE pool_before=PAGES pool_after=PAGES shrunk=TABLES events=N
#   IOSUP-PAGETABLES WHEN pooled_kb=KB delta_kb=KB: /proc/meminfo's
#     PageTables moved by what the pools hold (a pooled table is still a
#     page table): by delta_kb as the pools filled ("filled"), and as
#     rmmod gave them back ("unloaded")
#   IOSUP-INUSE WHEN l1=N l2=N l3=N l4=N pooled_pages=N pagetables_kb=KB:
#     the kernel's tables in use per level (the stats' last column), the
#     pools' pages and PageTables, at quiet moments; asserted here: no
#     level drifts over 300 processes' lives (INUSE_SLACK), INUSE_SLEEPERS
#     live processes add at least as many tables at every level, and the
#     PageTables they add is their L1 and L2 tables less what they took
#     out of the pools (PAGETABLE_SLACK pages)
#   IOSUP-RATIO level=4 ...: the L4 pool's pages at a 3% free ratio,
#     against the table pages in use
#   IOSUP-MEM ... (mem_report in guest.sh)
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
nl=$(command -v iosup-pool || echo /lib/modules/extra/iosup-pool)
stats=/sys/module/iosup/parameters/stats
fail() { echo "pool-life: FAIL: $*" >&2; exit 1; }
[ -f "$ko" ] || fail "$ko is missing"

# field LEVEL NAME: a counter of a level, from the netlink dump.
field() {
	$nl show | awk -v l="level=$1" -v k="$2=" '
		{ for (i = 1; i <= NF; i++) { if ($i == l) hit = 1; if (hit && index($i, k) == 1) { print substr($i, length(k) + 1); exit } } hit = 0 }'
}

# page_tables: /proc/meminfo's PageTables, kB, the CPUs' pending deltas
# folded in first (as mem_reading does).
page_tables() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '$1 == "PageTables:" { print $2 }' /proc/meminfo
}
# pagetables_check WHEN POOLED_KB DELTA_KB: the pools' pages and
# PageTables' move agree, within a tenth and 256 kB (the tables of the
# few processes that come and go between the readings).
pagetables_check() {
	echo "IOSUP-PAGETABLES $1 pooled_kb=$2 delta_kb=$3"
	d=$(($3 - $2))
	[ ${d#-} -le $(($2 / 10 + 256)) ] ||
		fail "$1: PageTables moved by $3 kB, the pools held $2 kB (pooled tables must count as page tables)"
}

# WHEN=NAME in_use_reading: the tables in use per level into $iu1..$iu4, the
# pools' pages into $iu_pooled and PageTables into $iu_pt, printed as an
# IOSUP-INUSE line; each must be a count.
in_use_reading() {
	iu_pt=$(page_tables)
	iu_pooled=$(pool_pages)
	# shellcheck disable=SC2046 # four counts, word-split on purpose
	set -- $(awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "in_use") c = i }
		c && $1 ~ /^L[1-4]$/ { printf "%s ", $c }' "$stats")
	[ $# -eq 4 ] || fail "in use, $WHEN: the stats have $# in_use columns, not 4"
	iu1=$1 iu2=$2 iu3=$3 iu4=$4
	for v in "$iu1" "$iu2" "$iu3" "$iu4" "$iu_pooled" "$iu_pt"; do
		case $v in '' | *[!0-9]*) fail "in use, $WHEN: '$v' is not a count" ;; esac
	done
	echo "IOSUP-INUSE $WHEN l1=$iu1 l2=$iu2 l3=$iu3 l4=$iu4 pooled_pages=$iu_pooled pagetables_kb=$iu_pt"
}
# Tables a level may differ by between two quiet readings: a CPU keeps the
# last mm it ran (lazy TLB) until it runs another, so a pgd pair can be
# freed a little late; the reader's own processes are in both readings.
INUSE_SLACK=2
# Pages PageTables may move by beyond the sleepers' L1 and L2 tables and
# the pools' pages. The three are not read at one instant (iosup-pool
# takes its own tables out of the pools while it reads them), and
# PageTables holds init_mm's PMDs too: PageTables less the other two read
# -6 to +21 pages across the readings of four runs, and moved by 4 to 17
# over the sleepers. Half a page a sleeper: an in-use count off by one
# table a process moves it by twice that.
INUSE_SLEEPERS=100
PAGETABLE_SLACK=50
# What one sleeping process adds at most, per level: it holds 3 PTE
# tables, 2 PMDs, 2 PUDs and 1 pgd pair (measured), so a level counted
# twice comes to more.
INUSE_MAX_EACH="4 3 3 1"
# in_use_same WHEN: each level within INUSE_SLACK of the last reading.
in_use_same() {
	b1=$iu1 b2=$iu2 b3=$iu3 b4=$iu4
	WHEN=$1 in_use_reading
	for l in 1 2 3 4; do
		eval "d=\$((iu$l - b$l))"
		[ ${d#-} -le $INUSE_SLACK ] ||
			fail "in use, $1: L$l moved by $d tables (more than $INUSE_SLACK)"
	done
}

# Pages the pools hold: tables times the pages one table of the level holds.
pool_pages() {
	$nl show | awk '{ p = 0; t = 1
		for (i = 1; i <= NF; i++) { if ($i ~ /^pool=/) p = substr($i, 6); if ($i ~ /^table_pages=/) t = substr($i, 13) }
		n += p * t } END { print n + 0 }'
}



# sleepers_start N: N sleeping processes (a fork and an exec each), their
# pids in $pids, given 2 s to start; sleepers_stop: all killed and reaped.
sleepers_start() {
	i=0 pids=
	while [ $i -lt "$1" ]; do
		sleep 600 &
		pids="$pids $!"
		i=$((i + 1))
	done
	sleep 2
}
sleepers_stop() {
	kill $pids
	wait 2>/dev/null
	sleep 1
}

# exit_together N: N processes live at once, then exit at once, so the
# pools fill with what they free.
exit_together() {
	sleepers_start "$1"
	if [ -z "${2:-}" ]; then
		in_use=$(field 4 in_use)
		[ "${in_use:-0}" -ge "$1" ] || fail "L4 in_use is ${in_use:-missing} with $1 processes alive"
	fi
	sleepers_stop
}

# Once without the module first: the kernel's own caches (task structs,
# slabs of every kind) grow to hold 300 processes and keep that memory, which
# is not the pool's to give back; and memory pressure once, since
# reclaim leaves the kernel keeping memory of its own too (CI saw dom0
# 648 kB short after the pressure below, with every pooled page returned
# by the module's counts and Xen's free memory unchanged).
# Watermark boosting (Debian's vm.watermark_boost_factor=15000) raises
# the min watermark by up to 1.5% of the zone for a while whenever a
# pageblock changes migratetype: a run saw it go from 3.8 to 12.3 MB in the
# middle of the pressure below, which turned a request sized to need a
# quarter of the pools into the OOM killer's. Off here, for a pressure of
# a known size; back at the end.
boost=$(cat /proc/sys/vm/watermark_boost_factor)
# stress_bytes KB: guest.sh.
# stress_gone: stress-ng's parent can return before its worker's memory is
# back (a baseline taken then read 300 MB short, with 143 MB of anonymous
# memory nobody listed): wait for every process, then for free memory to
# stop growing (under 1 MB in half a second).
stress_gone() {
	i=0
	command -v pidof >/dev/null || fail "no pidof to wait for stress-ng with"
	while pidof stress-ng >/dev/null; do
		[ $i -lt 100 ] || fail "stress-ng still running 10 s after it returned"
		sleep 0.1
		i=$((i + 1))
	done
	i=0 was=0
	now=$(mem_free)
	while [ $((now - was)) -ge 1024 ]; do
		[ $i -lt 60 ] || fail "free memory still growing 30 s after stress-ng ($was -> $now kB)"
		sleep 0.5
		was=$now now=$(mem_free)
		i=$((i + 1))
	done
	echo "pool-life: stress-ng gone, free memory settled at $now kB after $i half-seconds"
}
echo 0 >/proc/sys/vm/watermark_boost_factor || fail "vm.watermark_boost_factor"
exit_together 300 without-module
quiesce
# Down to about the min watermark, where kswapd runs; not past it: with
# nothing to reclaim, that is the OOM killer's.
stress-ng --vm 1 --vm-bytes "$(stress_bytes 0)k" --vm-keep --vm-populate --timeout 8 \
	>/dev/null 2>&1 || fail "stress-ng without the module"
stress_gone
quiesce
mem_baseline

pt0=$(page_tables)
insmod "$ko" debug=1 || fail "insmod"
WHEN=loaded in_use_reading
exit_together 300
$nl show
held=$(pool_pages)
pagetables_check filled $((held * 4)) $(($(page_tables) - pt0))
[ "$held" -ge 1000 ] || fail "300 processes exiting left $held pages in the pools"
for l in 1 2 3 4; do
	[ "$(field $l pool)" -gt 0 ] || fail "level $l's pool is empty after 300 exits"
done

# The tables in use: back where they were after 300 lives, up by at least
# one a level for every live process, and PageTables in step with them.
in_use_same exited
sleepers_start $INUSE_SLEEPERS
q1=$iu1 q2=$iu2 q3=$iu3 q4=$iu4 q_pooled=$iu_pooled q_pt=$iu_pt
WHEN=sleepers in_use_reading
l=0
for each in $INUSE_MAX_EACH; do
	l=$((l + 1))
	eval "d=\$((iu$l - q$l))"
	[ "$d" -ge $INUSE_SLEEPERS ] ||
		fail "in use: $INUSE_SLEEPERS live processes added $d L$l tables"
	[ "$d" -le $((INUSE_SLEEPERS * each + INUSE_SLACK)) ] ||
		fail "in use: $INUSE_SLEEPERS live processes added $d L$l tables, more than $each each"
done
# PageTables holds the pools' pages and the L1 and L2 tables in use.
pt_moved=$(( (iu_pt - q_pt) / 4 ))
tables_moved=$(( iu1 - q1 + iu2 - q2 + iu_pooled - q_pooled ))
d=$((pt_moved - tables_moved))
[ ${d#-} -le $PAGETABLE_SLACK ] ||
	fail "in use: PageTables moved by $pt_moved pages, the L1 and L2 tables in use and the pools' pages by $tables_moved"
# The next reading is set against the one before the sleepers.
iu1=$q1 iu2=$q2 iu3=$q3 iu4=$q4
sleepers_stop
in_use_same slept

# Memory pressure: stress-ng asks for more than a user allocation can take
# without reclaim (free memory down to the min watermark), by a quarter of
# what the pools hold (the caches were dropped), so the allocations go into
# reclaim and the pools must give pages back (the shrinker takes half of
# them at every call), and nothing needs the OOM killer (the rig fails a
# run that calls it). Not more: the stress process's own page tables (1.8
# MB for 900 MB) come on top, and whatever else allocates while it holds
# its memory needs some of the pools' too.
$nl events 60 >/tmp/events 2>&1 &
listener=$!
sleep 1
grep -q listening /tmp/events || fail "the events listener did not start"
quiesce
take=$(stress_bytes $(( held * 4 / 4 )))
echo "+ stress-ng --vm 1 --vm-bytes ${take}k --vm-keep --vm-populate --timeout 8"
stress-ng --vm 1 --vm-bytes "${take}k" --vm-keep --vm-populate --timeout 8 ||
	fail "stress-ng"
stress_gone
sleep 2
kill $listener 2>/dev/null
wait $listener 2>/dev/null
after=$(pool_pages)
shrunk=0
for l in 1 2 3 4; do shrunk=$((shrunk + $(field $l shrunk))); done
events=$(grep -c 'event=5 ' /tmp/events)
echo "IOSUP-PRESSURE pool_before=$held pool_after=$after shrunk=$shrunk events=$events"
$nl show
[ "$shrunk" -gt 0 ] || fail "memory pressure shrank nothing"
[ "$after" -lt $((held / 2)) ] || fail "the pools still hold $after of $held pages after pressure"
[ "$events" -gt 0 ] || fail "no 'shrunk' event on the multicast group"

# A lease: a limit set for 6 seconds holds while renewed, then goes back to
# the default, and the listener hears of it. Seconds of margin each way:
# beside other rigs a process here can take a second to start.
$nl events 30 >/tmp/events 2>&1 &
listener=$!
sleep 1
default=$(field 1 default_limit)
$nl limit 1 77 6 || fail "limit with a lease"
[ "$(field 1 limit)" = 77 ] || fail "leased limit not read back"
[ "$(field 1 lease)" -ge 1 ] || fail "no lease left right after setting one"
sleep 4
$nl lease 6 || fail "renewing the lease"
sleep 4
[ "$(field 1 limit)" = 77 ] || fail "the renewed lease ran out early"
sleep 6
[ "$(field 1 limit)" = "$default" ] || fail "limit $(field 1 limit) after the lease ran out, not the default $default"
[ "$(field 1 lease)" = 0 ] || fail "a lease is still said to run"
# A limit set without a lease stays.
$nl limit 1 88 || fail "limit for good"
sleep 1
kill $listener 2>/dev/null
wait $listener 2>/dev/null
grep -q 'event=6 ' /tmp/events || fail "no 'lease expired' event"
[ "$(field 1 limit)" = 88 ] || fail "a limit set for good changed"
echo "pool-life: lease held 8 s while renewed, expired to $default, event seen"

# The free ratio bounds a pool's pages, not its tables: a pgd pair, the L4
# pool's table, is table_pages pages, so at 3% the L4 pool holds pairs up
# to 3% of the table pages in use in pages (a module that compared pairs
# with pages kept table_pages times as many). 300 sleeping processes keep
# the tables in use up while 100 more exit at once, offering 100 pairs to
# a pool whose bound is a few dozen.
ratio=3
default4=$(field 4 default_limit)
$nl drain 4 || fail "drain 4"
$nl limit 4 4096 || fail "limit 4 4096"
$nl ratio $ratio 4 || fail "ratio $ratio for L4"
# in_use_pages: the table pages in use, PageTables less the pools' pages.
in_use_pages() { echo $(($(page_tables) / 4 - $(pool_pages))); }
ballast=
i=0
while [ $i -lt 300 ]; do sleep 600 & ballast="$ballast $!"; i=$((i + 1)); done
i=0 pids=
while [ $i -lt 100 ]; do sleep 600 & pids="$pids $!"; i=$((i + 1)); done
sleep 2
most=$(in_use_pages)
kill $pids
for p in $pids; do wait $p 2>/dev/null; done
sleep 1
pairs=$(field 4 pool) tp=$(field 4 table_pages)
least=$(in_use_pages)
kill $ballast
wait 2>/dev/null
for v in "$pairs" "$tp" "$least" "$most"; do
	case "$v" in '' | *[!0-9]*) fail "ratio: a reading is not a number (pairs '$pairs', table_pages '$tp', in use '$least'..'$most')" ;; esac
done
[ "$tp" -ge 1 ] || fail "ratio: L4 table_pages is $tp"
bound=$((most * ratio / 100))
echo "IOSUP-RATIO level=4 ratio=$ratio pairs=$pairs table_pages=$tp pages=$((pairs * tp)) in_use_pages=$least..$most bound_pages=$bound"
[ "$pairs" -ge 1 ] || fail "ratio: 100 exits left no pgd pair in the L4 pool"
# One pair over: a put checks the bound unlocked against a moving count.
[ $((pairs * tp)) -le $((bound + tp)) ] ||
	fail "ratio: the L4 pool holds $pairs pairs, $((pairs * tp)) pages, over $ratio% of $most table pages in use"
$nl ratio 0 4 || fail "ratio 0 for L4"
$nl limit 4 "$default4" || fail "limit 4 back to $default4"
echo "pool-life: L4 held $pairs pairs ($((pairs * tp)) pages) at a $ratio% ratio of $least..$most pages in use"

# Fill the pools again, then unload: every page comes back.
$nl limit 1 "$default" || fail "limit"
exit_together 300
held=$(pool_pages)
[ "$held" -ge 1000 ] || fail "300 processes exiting left $held pages in the pools before the unload"
violations=$(awk '$1 ~ /^L/ { n += $9 } END { print n + 0 }' "$stats")
[ "$violations" = 0 ] || fail "the debug checks saw $violations violations"
pt0=$(page_tables)
rmmod iosup || fail "rmmod"
quiesce
pagetables_check unloaded $((held * 4)) $((pt0 - $(page_tables)))
mem_report pool-life $held
echo "$boost" >/proc/sys/vm/watermark_boost_factor
exit 0
