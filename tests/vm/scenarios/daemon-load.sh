# Loads the page-table pool with every limit 0 and starts iosupd, which
# sizes the pools from Xen's counters; a warm-up of a few control periods
# of churn, so that the scenarios after this one run with the pools iosupd
# chose. iosupd keeps running (its log: /tmp/iosupd.log).
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
[ -f "$ko" ] || { echo "daemon-load: $ko is missing" >&2; exit 1; }
insmod "$ko" limit_l1=0 limit_l2=0 limit_l3=0 limit_l4=0 || exit 1
start_iosupd /tmp/iosupd.log || exit 1
# Three control periods (2 s each) of fork+exec churn.
churn_for 6 fork-exec
iosupctl status
cat /sys/module/iosup/parameters/stats
cat /tmp/iosupd.log
