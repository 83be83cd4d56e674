# The page-table pool on fork+exit, fork+exec and fork+sh storms. The same
# storms run first without the pool, then with iosup.ko loaded and warm, so
# one run shows both rates and both latencies; then the module is unloaded
# and a storm runs again, on the kernel's fallback alone. Around each pool
# storm the module's counters are printed as
#   IOSUP-STATS TAG hits_l1=N ... misses_l1=N ...
# for the host to set the hits against the invalidations saved.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
stats=/sys/module/iosup/parameters/stats
[ -f "$ko" ] || { echo "pool-forkexit: $ko is missing" >&2; exit 1; }

pool_stats() {
	awk -v tag="$1" '
		$1 ~ /^L[0-9]$/ {
			l = substr($1, 2)
			line = line sprintf(" pool_l%s=%s hits_l%s=%s misses_l%s=%s refused_l%s=%s",
				l, $2, l, $4, l, $5, l, $7)
		}
		END { print "IOSUP-STATS " tag line }' "$stats"
}

# The kernel's per-level cost counters (debugfs xen/pt_cost), one line:
#   IOSUP-COST TAG pool_get_1=TABLES/NS ... unpin_4=TABLES/NS
cost() {
	awk -v tag="$1" 'NR > 1 { line = line sprintf(" %s_%s=%s/%s", $1, $2, $3, $4) }
		END { print "IOSUP-COST " tag line }' /sys/kernel/debug/xen/pt_cost
}
grep -q " /sys/kernel/debug " /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug || exit 1
echo 1 >/sys/kernel/debug/xen/pt_cost || exit 1

# storm TAG MODE: PROCS processes; fork+/bin/sh -c a fifth of them, as its
# rate is not checked (only its latency printed) and it is the slowest
# (about 0.27 s a process under TCG).
storm() {
	n=$PROCS
	[ "$2" != fork-sh ] || n=$(( PROCS / 5 > 20 ? PROCS / 5 : 20 ))
	iosup-lat-proc -m -n "$n" -w 10 -t "$1" "$2" || exit 1
}

storm nopool-forkexit fork-exit
storm nopool-forkexec fork-exec
storm nopool-forksh fork-sh

insmod "$ko" debug=1 || exit 1
# Fill the pools: the first storm's exits are what the next one reuses.
iosup-lat-proc -n 50 -w 0 fork-exec >/dev/null || exit 1
pool_stats warm

cost pool-before
for w in forkexit:fork-exit forkexec:fork-exec forksh:fork-sh; do
	pool_stats "before-${w%%:*}"
	storm "pool-${w%%:*}" "${w#*:}"
	pool_stats "after-${w%%:*}"
done
cost pool-after
cat "$stats"

# Unloaded, the kernel's fallback does what a stock kernel does, and the
# cost counters (on since the pool first registered) count it.
rmmod iosup || exit 1
cost stock-before
storm unloaded-forkexit fork-exit
storm unloaded-forkexec fork-exec
cost stock-after
exit 0
