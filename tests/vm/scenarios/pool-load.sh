# Loads the page-table pool (iosup.ko) and warms it up, so that the
# scenarios after this one run with the pool on.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
[ -f "$ko" ] || { echo "pool-load: $ko is missing" >&2; exit 1; }
insmod "$ko" || exit 1
iosup-lat-proc -n 50 -w 0 fork-exec >/dev/null || exit 1
cat /sys/module/iosup/parameters/stats
