# The pool under concurrency on both dom0 vCPUs: a fork+exit storm on one,
# on the other a shell that runs pipelines of freshly exec'd programs (each
# a new mm built from the pool and torn down into it, while the storm's
# exits feed the pool from RCU callbacks) and now and then drains a level.
# The rig fails the run on any crash, warning or splat in the console; the
# debug mode fails it on a pooled page that was not all zero and read-only.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
nl=$(command -v iosup-pool || echo /lib/modules/extra/iosup-pool)
stats=/sys/module/iosup/parameters/stats
SECONDS_TO_RUN=30
[ -f "$ko" ] || { echo "pool-smp: $ko is missing" >&2; exit 1; }
insmod "$ko" debug=1 || exit 1

iosup-lat-proc -n 1000000 -w 0 fork-exit >/dev/null &
storm=$!
t0=$(date +%s) n=0
while [ $(($(date +%s) - t0)) -lt $SECONDS_TO_RUN ]; do
	dmesg | grep -c IOSUP-MARK >/dev/null
	n=$((n + 1))
	[ $((n % 10)) -ne 0 ] || $nl drain $((n / 10 % 3 + 1)) || exit 1
done
kill $storm
wait $storm 2>/dev/null
echo "pool-smp: $n pipelines in ${SECONDS_TO_RUN}s beside a fork+exit storm"
cat "$stats"
awk 'NR > 1 && $9 != 0 { bad = 1 } END { exit bad }' "$stats" ||
	{ echo "pool-smp: the debug mode counted violations" >&2; exit 1; }
rmmod iosup || exit 1
