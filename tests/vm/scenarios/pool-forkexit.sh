# The page-table pool on fork+exit and fork+exec storms. The same storms run
# first without the pool, then with iosup.ko loaded and warm, so one run
# shows both rates; then the module is unloaded and a storm runs again, on
# the kernel's fallback alone.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
stats=/sys/module/iosup/parameters/stats
[ -f "$ko" ] || { echo "pool-forkexit: $ko is missing" >&2; exit 1; }

iosup-lat-proc -m -n "$PROCS" -w 10 -t nopool-forkexit fork-exit || exit 1
iosup-lat-proc -m -n "$PROCS" -w 10 -t nopool-forkexec fork-exec || exit 1

insmod "$ko" || exit 1
# Fill the pools: the first storm's exits are what the next one reuses.
iosup-lat-proc -n 50 -w 0 fork-exec >/dev/null || exit 1
echo "pool-forkexit: after warm-up"; cat "$stats"

iosup-lat-proc -m -n "$PROCS" -w 10 -t pool-forkexit fork-exit || exit 1
echo "pool-forkexit: after fork-exit"; cat "$stats"
iosup-lat-proc -m -n "$PROCS" -w 10 -t pool-forkexec fork-exec || exit 1
echo "pool-forkexit: after fork-exec"; cat "$stats"

rmmod iosup || exit 1
iosup-lat-proc -m -n "$PROCS" -w 10 -t unloaded-forkexit fork-exit || exit 1
exit 0
