# What iosupd costs: its CPU time and memory over a run of
# rig_bench_seconds (default 120) of bursty churn (20 s of fork+exec, then
# 40 s of nothing), the pool loaded at limit 0 and iosupd at its default
# period. Prints, for the host:
#   IOSUP-BENCH seconds=S cpu_ticks=T hz=HZ rss_kb=KB hwm_kb=KB
#   IOSUP-SPIN spin iterations=N ns=NS   (this CPU's speed, see iosup-spin)
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
fail() { echo "daemon-bench: FAIL: $*" >&2; exit 1; }
[ -f "$ko" ] || fail "$ko is missing"
seconds=120
for word in $(cat /proc/cmdline); do
	case $word in rig_bench_seconds=*) seconds=${word#*=} ;; esac
done

echo "IOSUP-SPIN $(iosup-spin)"
insmod "$ko" limit_l1=0 limit_l2=0 limit_l3=0 limit_l4=0 || fail "insmod"
start_iosupd /tmp/iosupd-bench.log || fail "iosupd did not start"
pid=$iosupd_pid
# utime + stime, in clock ticks: USER_HZ, 100 on x86 (fields 14 and 15 of
# /proc/PID/stat; the command name, field 2, has no spaces here).
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
start_ticks=$(ticks) start=$(date +%s)
while [ $(($(date +%s) - start)) -lt "$seconds" ]; do
	churn_for 20 fork-exec
	sleep 40
	# A line a minute: the rig takes minutes of silence for a hang.
	echo "daemon-bench: $(($(date +%s) - start)) of $seconds s, iosupd $(($(ticks) - start_ticks)) ticks"
done
elapsed=$(($(date +%s) - start))
cpu=$(($(ticks) - start_ticks))
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
echo "IOSUP-BENCH seconds=$elapsed cpu_ticks=$cpu hz=100 rss_kb=$rss hwm_kb=$hwm"
kill -TERM "$pid"
wait "$pid" || fail "iosupd exited $? on SIGTERM"
grep -c 'set L' /tmp/iosupd-bench.log | sed 's/^/daemon-bench: limit changes: /'
rmmod iosup || fail "rmmod"
exit 0
