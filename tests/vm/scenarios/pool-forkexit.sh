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

storm() {
	iosup-lat-proc -m -n "$PROCS" -w 10 -t "$1" "$2" || exit 1
}

storm nopool-forkexit fork-exit
storm nopool-forkexec fork-exec
storm nopool-forksh fork-sh

insmod "$ko" debug=1 || exit 1
# Fill the pools: the first storm's exits are what the next one reuses.
iosup-lat-proc -n 50 -w 0 fork-exec >/dev/null || exit 1
pool_stats warm

for w in forkexit:fork-exit forkexec:fork-exec forksh:fork-sh; do
	pool_stats "before-${w%%:*}"
	storm "pool-${w%%:*}" "${w#*:}"
	pool_stats "after-${w%%:*}"
done
cat "$stats"

rmmod iosup || exit 1
storm unloaded-forkexit fork-exit
exit 0
