# iosupd in dom0, against the real xenstored, the iosup module (loaded with
# every limit 0, in debug mode) and the patched hypervisor's counters, at
# the default control period. In order:
#   grow     fork+exit churn for three control periods, stopped, then a
#            marked storm ("grown"): the host checks it ran at the floor
#   shrink   no churn: the pools' pages, polled each second, fall to a
#            tenth of their peak; the time it took
#   agree    paused, a period apart: the module's stats and Xen's counters
#            read before and after `iosupctl status --json` and
#            `iosupctl show 0 --json` (the host checks they agree)
#   observe  `iosupctl policy set Domain-0 mode=observe` (by name), churn: no limit moves and
#            the log says "would"; `mode=enforce`, churn: the limits grow
#   domU     a domain's agent stood in for by writes to its xenstore nodes
#            (the guest side is not written yet; domain 7 is only a
#            directory in xenstore, made before iosupd starts): misses
#            reported make iosupd write targets under control/iosup/; a
#            refused report is said once and changes nothing
#   policy   /etc/iosup/policy.d: a file naming domain 7 by name, one by
#            its UUID (which wins), `iosupctl policy set` on top, `policy
#            unset` back to the file, then a bad file (reload exits 1, the
#            journal names its line, nothing of it applied); iosupd's
#            targets for domain 7 kept within each max_pages
#   kill     SIGKILL mid-churn, a marked storm ("killed") at once; a new
#            iosupd, churn past the lease, a marked storm ("restarted");
#            the new one took the lease over and the limits never fell
#   stop     SIGTERM: the limits go back to the module's defaults (0)
# Lines for the host: IOSUP-DAEMON-<WHAT> key=value..., and the JSON as
# IOSUP-JSON <name> <json>.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
stats=/sys/module/iosup/parameters/stats
log=/tmp/iosupd.log
# The default control period (no /etc/iosup/iosupd.conf).
PERIOD=2
# The lease iosupd holds its limits under: five periods.
LEASE=10
pid='' churn=''

fail() {
	echo "daemon: FAIL: $*" >&2
	[ -z "$churn" ] || kill "$churn" 2>/dev/null
	echo "daemon: iosupd's log:" >&2
	grep -v ' L[0-9]: misses ' "$log" | sed 's/^/  | /' >&2
	exit 1
}
[ -f "$ko" ] || fail "$ko is missing"

# Waiting and counting without creating a process (which would be churn;
# so would a $(...) subshell): a read with a timeout on a FIFO nobody
# writes, and the shell's own read into $pool.
mkfifo /tmp/daemon.quiet
exec 3<>/tmp/daemon.quiet
quiet_sleep() { read -r -t "$1" _ <&3; }
pooled() {
	pool=0
	while read -r lv p _; do
		case $lv in L[0-9]) pool=$((pool + p)) ;; esac
	done <"$stats"
}
# col N: a stats column summed over the levels; limits: "l1 l2 l3 l4".
col() { awk -v c="$1" '$1 ~ /^L[0-9]$/ { n += $c } END { print n + 0 }' "$stats"; }
limits() { awk '$1 ~ /^L[0-9]$/ { printf "%s%s", sep, $3; sep = " " } END { print "" }' "$stats"; }
POOL=2 LIMIT=3 VIOLATIONS=9

# iosupd, verbose (each period's inputs), into $log; its pid in $pid.
start() { start_iosupd "$log" -v || fail "iosupd did not start"; pid=$iosupd_pid; }
# storm TAG [N [WARMUP]]: N (300) fork+exits between marks, for the host
# to count, after WARMUP (0) unmeasured ones.
storm() { iosup-lat-proc -m -n "${2:-300}" -w "${3:-0}" -t "$1" fork-exit || fail "storm $1"; }

insmod "$ko" debug=1 limit_l1=0 limit_l2=0 limit_l3=0 limit_l4=0 || fail "insmod"
DOMU=7
domu=/local/domain/$DOMU
# report L HITS MISSES [LIMIT]: domain 7's agent's report for level L
# (limit 0 unless given).
report() { xenstore-write "$domu/data/iosup/level-$1" "hits=$2 misses=$3 pool=0 limit=${4:-0}"; }
xenstore-write "$domu/name" domu-stand-in || fail "xenstore-write $domu/name"
# Its UUID as libxl writes it (policy.d files may name it so).
UUID=0b7c1e2a-0000-4000-8000-00163e5a9f07
xenstore-write "$domu/vm" "/vm/$UUID" || fail "xenstore-write $domu/vm"
for l in 1 2 3 4; do report $l 0 0 || fail "xenstore-write $domu/data/iosup/level-$l"; done
start
sleep $((2 * PERIOD))
# Starting (and waiting for) iosupd is a few dozen processes: a pool of a
# few tables may be there already.
start_limits=$(limits)

# grow
churn_for $((3 * PERIOD))
grown=$(limits)
storm grown
peak=$(col $POOL)
echo "IOSUP-DAEMON-GROW periods=3 limits_before=$(echo $start_limits | tr ' ' ,) limits_after=$(echo $grown | tr ' ' ,) pool_peak=$peak"
[ "$peak" -gt 0 ] || fail "no page pooled after the churn"

# shrink: no process at all from here until the pools are small.
t=0
pooled
while [ "$pool" -gt $((peak / 10)) ] && [ $t -lt 90 ]; do
	quiet_sleep 1
	t=$((t + 1))
	pooled
done
echo "IOSUP-DAEMON-SHRINK peak=$peak pool=$pool seconds=$t limits=$(limits | tr ' ' ,)"

# agree
iosupctl pause >/dev/null || fail "pause"
sleep $((PERIOD + 1))
echo "IOSUP-MODSTATS before $(tr '\n' ';' <"$stats")"
echo "IOSUP-XEN before $(iosup-xen-counters --raw 0)"
sleep $((PERIOD + 1))
echo "IOSUP-JSON status $(iosupctl status --json)"
echo "IOSUP-JSON show $(iosupctl show 0 --json)"
echo "IOSUP-MODSTATS after $(tr '\n' ';' <"$stats")"
echo "IOSUP-XEN after $(iosup-xen-counters --raw 0)"
iosupctl resume >/dev/null || fail "resume"

# observe, set by dom0's name: the layer written is the id's
iosupctl policy set Domain-0 mode=observe || fail "policy set Domain-0 mode=observe"
[ "$(iosupctl policy get Domain-0 --json)" = "$(iosupctl policy get 0 --json)" ] ||
	fail "policy get Domain-0 and policy get 0 differ"
rc=0
iosupctl policy get no-such-domain >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "policy get no-such-domain: exit $rc, expected 1 (refused)"
i=0
until iosupctl show 0 --json | grep -q '"mode":"observe"'; do
	i=$((i + 1))
	[ $i -le 10 ] || fail "iosupd did not take mode=observe from xenstore in 10 s"
	sleep 1
done
before=$(limits)
would_before=$(grep -c 'would' "$log")
churn_for $((4 * PERIOD))
after=$(limits)
would=$(($(grep -c 'would' "$log") - would_before))
echo "IOSUP-DAEMON-OBSERVE limits_before=$(echo $before | tr ' ' ,) limits_after=$(echo $after | tr ' ' ,) would_lines=$would"
iosupctl policy set 0 mode=enforce || fail "policy set 0 mode=enforce"
sleep 1
churn_for $((3 * PERIOD))
echo "IOSUP-DAEMON-ENFORCE limits_before=$(echo $after | tr ' ' ,) limits_after=$(limits | tr ' ' ,)"

# domU: 500 misses on every level since the last report. iosupd wrote
# its reported limits (0) back as targets when it first saw it; the
# levels are written in order, so a grown L4 target means a decision.
for l in 1 2 3 4; do report $l 0 500; done
i=0
until [ "$(xenstore-read "$domu/control/iosup/target-l4" 2>/dev/null || echo 0)" -gt 0 ] 2>/dev/null; do
	i=$((i + 1))
	[ $i -le $((3 * PERIOD)) ] || break
	sleep 1
done
targets=''
for l in 1 2 3 4; do
	targets="$targets${targets:+,}$(xenstore-read "$domu/control/iosup/target-l$l" 2>/dev/null || echo none)"
done
xenstore-write "$domu/data/iosup/level-1" "hits=x misses=500 pool=0 limit=0"
sleep $((3 * PERIOD))
refused=$(grep -c "dom$DOMU: pool stats refused ([a-z ]*): .*hits.*at most one such warning a minute" "$log")
after_bad=''
for l in 1 2 3 4; do
	after_bad="$after_bad${after_bad:+,}$(xenstore-read "$domu/control/iosup/target-l$l" 2>/dev/null || echo none)"
done
report 1 0 500
echo "IOSUP-DAEMON-DOMU targets=$targets after_refused=$after_bad refused_lines=$refused"

# policy: a policy.d file naming the stand-in, then one naming its UUID
# (which wins), the live layer on top, unset back to the file; then a bad
# file. Each step's `policy get --json` for the host, once iosupd's
# targets for the domain are within the max_pages it then has.
# targets_within MAX: every target of domain 7 at most MAX, within 4
# periods. The stand-in agent does as a real one: each second it applies
# the targets and reports them as its limits (its counters as last said),
# which is what iosupd decides from.
targets_within() {
	i=0
	while :; do
		t=0
		for l in 1 2 3 4; do
			v=$(xenstore-read "$domu/control/iosup/target-l$l" 2>/dev/null || echo none)
			[ "$v" -le "$1" ] 2>/dev/null && t=$((t + 1))
			[ "$v" -ge 0 ] 2>/dev/null && report $l 0 500 "$v"
		done
		[ $t -eq 4 ] && return 0
		i=$((i + 1))
		[ $i -le $((4 * PERIOD)) ] || return 1
		sleep 1
	done
}
policy_step() {
	targets_within "$2" || fail "policy $1: domain 7's targets not within $2 in $((4 * PERIOD)) s"
	echo "IOSUP-JSON policy-$1 $(iosupctl policy get $DOMU --json)"
}
mkdir -p /etc/iosup/policy.d
printf '# the stand-in, by name\nname = domu-stand-in\nmax_pages = 48\n' >/etc/iosup/policy.d/10-by-name.conf
iosupctl reload >/dev/null || fail "reload with a policy file by name"
policy_step name 48
printf '# the stand-in, by UUID\nuuid = %s\nmode = enforce\nmax_pages = 32\n' "$UUID" \
	>/etc/iosup/policy.d/20-by-uuid.conf
iosupctl reload >/dev/null || fail "reload with a policy file by UUID"
policy_step uuid 32
iosupctl policy set $DOMU max_pages=16 || fail "policy set $DOMU max_pages=16"
policy_step live 16
iosupctl policy unset $DOMU max_pages || fail "policy unset $DOMU max_pages"
# Back to the file's 32: the targets may stay lower; the sources are judged.
policy_step unset 32
printf 'name = domu-stand-in\nmode = sometimes\n' >/etc/iosup/policy.d/30-bad.conf
rc=0
out=$(iosupctl reload 2>&1) || rc=$?
echo "IOSUP-DAEMON-POLICY bad_rc=$rc bad_said=$(grep -c 'policy.d/30-bad.conf:2: mode: .sometimes. is not enforce, observe or off; nothing of it applied' "$log") reply_names_it=$(printf '%s\n' "$out" | grep -c '30-bad.conf:2')"
echo "IOSUP-JSON policy-bad $(iosupctl policy get $DOMU --json)"
rm -r /etc/iosup/policy.d
iosupctl reload >/dev/null || fail "reload without policy files"

# kill
iosup-lat-proc -n 100000 -w 0 fork-exit >/dev/null &
churn=$!
sleep $((2 * PERIOD))
kill -KILL "$pid"
wait "$pid" 2>/dev/null
killed_limits=$(limits)
kill "$churn"
wait "$churn" 2>/dev/null
churn=''
# Short: the lease left (at least LEASE - PERIOD) must outlast it and the
# restart, beside other rigs too (60 processes once took 6.5 s and the
# lease ran out first). Five processes first: the killed daemon's and
# churn's tables are still coming back (one run in three counted some of
# that, 25 invalidations).
storm killed 30 5
echo "IOSUP-MODSTATS killed $(tr '\n' ';' <"$stats")"
start
min_l1=$(limits | cut -d' ' -f1)
iosup-lat-proc -n 100000 -w 0 fork-exit >/dev/null &
churn=$!
t=0
while [ $t -lt $((LEASE + 2 * PERIOD)) ]; do
	sleep 1
	t=$((t + 1))
	l1=$(limits | cut -d' ' -f1)
	[ "$l1" -ge "$min_l1" ] || min_l1=$l1
done
kill "$churn"
wait "$churn" 2>/dev/null
churn=''
storm restarted
lease=$(iosupctl show 0 --json | sed -n 's/.*"level":1,[^}]*"lease_left":\([0-9]*\).*/\1/p')
echo "IOSUP-DAEMON-KILL limits_at_kill=$(echo $killed_limits | tr ' ' ,) min_l1_after=$min_l1 lease_left=${lease:-none} took_over=$(grep -c 'taking it over' "$log")"

# stop
kill -TERM "$pid"
wait "$pid"
rc=$?
echo "IOSUP-DAEMON-STOP exit=$rc limits=$(limits | tr ' ' ,) violations=$(col $VIOLATIONS) handed_back=$(grep -c 'handing the pools back' "$log")"
cat "$stats"
echo "daemon: iosupd's log:"
grep -v ' L[0-9]: misses ' "$log" | sed 's/^/  | /'
rmmod iosup || fail "rmmod"
exit 0
