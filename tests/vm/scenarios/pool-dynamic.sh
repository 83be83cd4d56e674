# The pool switched on and off in the middle of a fork+exit storm
# ("dynamic"): the invalidation rate of each 4-second window falls once the
# pool is on and comes back once it is off. Windows carry procs=1, so the
# rig's per-process column is the window's total.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
param=/sys/module/iosup/parameters
[ -f "$ko" ] || { echo "pool-dynamic: $ko is missing" >&2; exit 1; }
insmod "$ko" enabled=0 debug=1 || exit 1

iosup-lat-proc -n 1000000 -w 0 fork-exit >/dev/null &
storm=$!
window() { phase_begin "$1" procs=1; sleep 4; phase_end "$1"; }

window dyn-off
echo 1 >$param/enabled || { kill $storm; exit 1; }
window dyn-on
echo 0 >$param/enabled || { kill $storm; exit 1; }
window dyn-off-again
kill $storm
wait $storm 2>/dev/null
cat $param/stats
rmmod iosup || exit 1
exit 0
