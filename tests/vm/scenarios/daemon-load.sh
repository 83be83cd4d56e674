# Loads the page-table pool with every limit 0 and starts iosupd, which
# sizes the pools from Xen's counters; a warm-up of a few control periods
# of churn, so that the scenarios after this one run with the pools iosupd
# chose. iosupd keeps running (its log: /tmp/iosupd.log).
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
[ -f "$ko" ] || { echo "daemon-load: $ko is missing" >&2; exit 1; }
insmod "$ko" limit_l1=0 limit_l2=0 limit_l3=0 limit_l4=0 || exit 1
iosupd >/tmp/iosupd.log 2>&1 &
i=0
until iosupctl status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 30 ] || { echo "daemon-load: iosupd did not start" >&2; cat /tmp/iosupd.log >&2; exit 1; }
	sleep 1
done
# Three control periods (2 s each) of fork+exec churn.
iosup-lat-proc -n 100000 -w 0 fork-exec >/dev/null &
churn=$!
sleep 6
kill "$churn"
wait "$churn" 2>/dev/null
iosupctl status
cat /sys/module/iosup/parameters/stats
cat /tmp/iosupd.log
