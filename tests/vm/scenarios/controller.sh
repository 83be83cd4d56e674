# What a pool controller does with bursts, a flush-rate target and memory
# pressure: iosup-burst's shapes against the module's fixed defaults and
# against iosupd started from limit 0, then iosupd held to a flush rate,
# then iosupd under memory pressure. In order:
#   defaults  insmod at the module's defaults (2048/512/512/256 tables), no
#             iosupd: the bursts (below), each a marked phase "def-SHAPE";
#             the pools' pages after the last
#   iosupd    rmmod, insmod at limit 0, iosupd at its default period: the
#             same bursts as "ctl-SHAPE"; the pools' pages after the last,
#             and IDLE_SECONDS later
#   rate      iosupd stopped: steady churn (iosup-burst steady) with every
#             limit 0 ("nopool"), then with every limit at its largest
#             ("unbounded"); limits 0 again, `iosupctl policy set 0
#             target_flush_rate=R`, a new iosupd and the same churn
#             ("target")
#   pressure  target_flush_rate=0, wide bursts to grow the pools, then
#             stress-ng pushes dom0 into reclaim so that the module's
#             shrinker takes from the pools, or iosupd cuts them for the
#             low free memory first (asked again, harder, up to three
#             times if neither happened); then steady churn until the
#             cool-down after that event has passed
# The bursts: alive (ALIVE processes at once, ALIVE_ROUNDS times), threads
# (THREADS threads of THREAD_FORKS fork+exits each), mmap (MMAP_ROUNDS
# rounds of 1027 tables), wide (twice the widest burst before it: 2 x
# ALIVE processes at once, WIDE_ROUNDS times).
# Lines for the host:
#   iosup-burst tag=... forks=... (each burst's own line)
#   IOSUP-CTL-ROW row=ROW pages=P limits=L1,L2,L3,L4 (right after the bursts)
#   IOSUP-CTL-IDLE row=ctl seconds=S pages=P limits=... (S idle seconds later)
#   IOSUP-CTL-RATE tag=TAG t=UPTIME pages=MEAN pages_max=P limits=... <Xen's counters>
#     (the pools over the period before the line)
#   IOSUP-CTL-SHRINK t=UPTIME shrunk=TABLES iosupd_cuts=N (the first pressure event)
#   IOSUP-CTL-COOL t=UPTIME min=P max=P limits=... (a second of the cool-down)
#   IOSUP-CTL-MEM t=UPTIME total=KB avail=KB free=KB pages=P limits=... stress=PID|none
#     (a second of the pressure phase: what iosupd's floor compares)
#   IOSUP-CTL-PRESSURE held=P shrunk=TABLES first=UPTIME cool_end=UPTIME ...
# rig_ctl_rate=R and rig_ctl_cooldown=S on dom0's command line set the
# flush-rate target (per second) and the cool-down (seconds).
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
nl=$(command -v iosup-pool || echo /lib/modules/extra/iosup-pool)
stats=/sys/module/iosup/parameters/stats
log=/tmp/iosupd.log
# iosupd's default control period (no /etc/iosup/iosupd.conf).
PERIOD=2
# Sizes, chosen so that the boot stays under six minutes under TCG with
# the prod kernel (4.8 to 5.5 measured, beside another rig; a fork+exit
# is about 5 ms there, 4,000 of them in 20 s) and so that what an
# empty pool must pay once (each new table's first type change: about 9
# invalidations a process) is under a quarter of an invalidation a process
# (or a tenth of one a table) over a phase: 4,000 processes in 40 rounds
# of 100 at once (0.23 with a pool that never refuses), 600 from 4
# threads, 30 rounds of a 2 GiB region (1024 PTE, 2 PMD and 1 PUD tables
# each; 0.03 a table), 20 rounds of 200 (0.23 for the 100 more than
# before).
ALIVE=100 ALIVE_ROUNDS=40
THREADS=4 THREAD_FORKS=150
MMAP_ROUNDS=30
WIDE_ROUNDS=20
# Steady churn: STEADY processes a second, each living a second; without
# a pool 18 type changes each (9 tables unmapped at birth, mapped back at
# exit: about 700 a second), nearly all saved by a pool of about 400 pages.
STEADY=40
NOPOOL_SECONDS=8
UNBOUNDED_SECONDS=12
# The target run: 22 periods, of which the host judges those after the
# settling time it allows.
TARGET_SECONDS=44
# Idle time after the bursts before iosupd's pools are compared with the
# defaults': iosupd(8) holds the recent burst for 10 s, then halves it
# every 12 s.
IDLE_SECONDS=30
# The pressure phase's floor of free memory, percent (iosupd.conf(5)).
FREE_FLOOR=25
# How long stress-ng holds its memory once it is all taken, or after the
# pressure event: long enough for iosupd to see it (two periods) and for
# reclaim to reach the pools, short enough to leave most of a 30 s
# cool-down to watch under churn after it. stress-ng is ended by this
# script (SIGINT), not by its own timeout: under TCG it takes 60-70 MB a
# second, so a 5 s run ended before it had taken the memory asked for and
# neither reclaim nor iosupd's floor was ever reached (avail fell to 308 MB
# of 947 at the most, four runs in a row). Its --timeout is a safety net.
STRESS_SECONDS=5
STRESS_CAP=240
LIMIT_MAX=262144
rate=100 cooldown=30
for word in $(cat /proc/cmdline); do
	case $word in
	rig_ctl_rate=*) rate=${word#*=} ;;
	rig_ctl_cooldown=*) cooldown=${word#*=} ;;
	esac
done
pid='' bg=''

fail() {
	echo "controller: FAIL: $*" >&2
	[ -z "$bg" ] || kill "$bg" 2>/dev/null
	if [ -f "$log" ]; then
		echo "controller: iosupd's log:" >&2
		grep -v ' L[0-9]: misses ' "$log" | tail -n 40 | sed 's/^/  | /' >&2
	fi
	exit 1
}
[ -f "$ko" ] || fail "$ko is missing"

# Waiting and counting without creating a process: a read with a timeout
# on a FIFO nobody writes (see daemon.sh), the stats file read by the shell.
mkfifo /tmp/controller.quiet
exec 3<>/tmp/controller.quiet
quiet_sleep() { read -r -t "$1" _ <&3; }
# pages: the pools' pages into $pages, their limits into $limits
# ("l1,l2,l3,l4"), the tables the shrinker took into $shrunk. A pgd pair
# is L4_PAGES pages (iosup-pool's table_pages), every other table one.
L4_PAGES=1
pages() {
	pages=0 limits='' shrunk=0
	while read -r lv p lim _ _ _ _ _ _ _ sh _; do
		case $lv in
		L4) pages=$((pages + p * L4_PAGES)) ;;
		L[0-9]) pages=$((pages + p)) ;;
		*) continue ;;
		esac
		limits="$limits${limits:+,}$lim" shrunk=$((shrunk + sh))
	done <"$stats"
}
uptime_now() { read -r now _ </proc/uptime; }
# meminfo: MemTotal, MemAvailable and MemFree (kB) into $mem_total,
# $mem_avail and $mem_free, what iosupd's floor of free memory compares.
meminfo() {
	while read -r _k _v _; do
		case $_k in
		MemTotal:) mem_total=$_v ;;
		MemFree:) mem_free=$_v ;;
		MemAvailable:) mem_avail=$_v; break ;;
		esac
	done </proc/meminfo
}
# watch SECONDS: the pools read ten times a second for that long (the
# steady churn fills and empties them within a second, which a reading a
# period would see at one point of it): the least, the most and the mean
# pages into $wmin, $wmax and $wmean, the last reading's limits into
# $limits and shrunk tables into $shrunk.
watch() {
	uptime_now
	_until=$((${now%.*}${now#*.} + $1 * 100))
	wmin='' wmax=0 _sum=0 _n=0
	while :; do
		pages
		[ -n "$wmin" ] && [ "$pages" -ge "$wmin" ] || wmin=$pages
		[ "$pages" -le "$wmax" ] || wmax=$pages
		_sum=$((_sum + pages)) _n=$((_n + 1))
		uptime_now
		_t=${now%.*}${now#*.}
		[ "$_t" -lt "$_until" ] || break
		read -r -t 0.1 _ <&3
	done
	wmean=$((_sum / _n))
}
set_limits() { for l in 1 2 3 4; do $nl limit $l "$1" >/dev/null || fail "limit L$l $1"; done; }
start() { start_iosupd "$log" || fail "iosupd did not start"; pid=$iosupd_pid; }
stop() {
	kill -TERM "$pid"
	wait "$pid" || fail "iosupd exited $? on SIGTERM"
	pid=''
}

# bursts ROW: the four shapes, each a marked phase ROW-SHAPE.
bursts() {
	iosup-burst -m -t "$1-alive" -r $ALIVE_ROUNDS alive $ALIVE || fail "$1-alive"
	iosup-burst -m -t "$1-threads" threads $THREADS $THREAD_FORKS || fail "$1-threads"
	iosup-burst -m -t "$1-mmap" mmap $MMAP_ROUNDS || fail "$1-mmap"
	wide=$((2 * (ALIVE > THREADS ? ALIVE : THREADS)))
	iosup-burst -m -t "$1-wide" -r $WIDE_ROUNDS wide $wide || fail "$1-wide"
	pages
	echo "IOSUP-CTL-ROW row=$1 pages=$pages limits=$limits"
	cat "$stats"
}

# churn_sample TAG SECONDS: steady churn for SECONDS, a line each period
# with the pools and Xen's counters (one process each, beside the churn's
# STEADY a second).
churn_sample() {
	# The churn outlasts the sampling, so that every period is under it.
	iosup-burst -t "$1" steady $STEADY $(($2 + PERIOD + 1)) &
	bg=$!
	uptime_now
	end=$((${now%.*} + $2))
	wmean=0 wmax=0 limits=-
	while :; do
		uptime_now
		echo "IOSUP-CTL-RATE tag=$1 t=$now pages=$wmean pages_max=$wmax limits=$limits $(iosup-xen-counters --raw 0)"
		[ "${now%.*}" -lt "$end" ] || break
		watch $PERIOD
	done
	wait "$bg" || fail "steady churn $1 exited $?"
	bg=''
}

# defaults
insmod "$ko" || fail "insmod at the defaults"
L4_PAGES=$($nl show | awk '/level=4/ { for (i = 1; i <= NF; i++) if ($i ~ /^table_pages=/) print substr($i, 13) }')
[ -n "$L4_PAGES" ] || fail "no table_pages for level 4 in iosup-pool show"
echo "controller: a pgd pair is $L4_PAGES pages"
bursts def
rmmod iosup || fail "rmmod after the defaults"

# iosupd from limit 0; then what it gives back once the bursts are over.
insmod "$ko" limit_l1=0 limit_l2=0 limit_l3=0 limit_l4=0 || fail "insmod at limit 0"
start
sleep $((2 * PERIOD))
bursts ctl
watch $IDLE_SECONDS
echo "IOSUP-CTL-IDLE row=ctl seconds=$IDLE_SECONDS pages=$pages limits=$limits"

# rate: the churn without a pool and with one that refuses nothing.
stop
# Caches dropped here, where no iosupd sees the shrinker that this runs
# (it would hold the pools small for its cool-down): the pressure below
# needs them dropped, so that reclaim must come to the pools.
quiesce
set_limits 0
churn_sample nopool $NOPOOL_SECONDS
set_limits $LIMIT_MAX
churn_sample unbounded $UNBOUNDED_SECONDS
set_limits 0
iosupctl policy set 0 target_flush_rate="$rate" || fail "policy set 0 target_flush_rate=$rate"
echo "controller: target_flush_rate=$rate"
start
churn_sample target $TARGET_SECONDS

# pressure: pools grown by wide bursts, then reclaim. iosupd's floor of
# free memory raised to FREE_FLOOR, so that the stress-ng below crosses it
# in every run (at the default 3%, reclaim reached neither the floor nor
# the pools' shrinker in one run of two).
mkdir -p /etc/iosup
echo "free_floor_percent = $FREE_FLOOR" >/etc/iosup/iosupd.conf
iosupctl reload >/dev/null || fail "iosupctl reload"
iosupctl policy set 0 target_flush_rate=0 || fail "policy set 0 target_flush_rate=0"
for i in 1 2 3; do
	iosup-burst -r 5 alive $((2 * ALIVE)) >/dev/null || fail "growing burst $i"
	quiet_sleep $PERIOD
done
boost=$(cat /proc/sys/vm/watermark_boost_factor)
# Off for a pressure of a known size (see pool-life.sh); back at the end.
echo 0 >/proc/sys/vm/watermark_boost_factor || fail "vm.watermark_boost_factor"
$nl events 90 >/tmp/events 2>&1 &
listener=$!
pages
held=$pages held_limits=$limits shrunk_before=$shrunk
cuts_before=$(grep -c '(pressure' "$log")
# stress_for QUARTERS: stress-ng in the background ($bg), asking for what
# a user allocation can take without reclaim plus QUARTERS quarters of
# $base, the pages the pools hold (pool-life.sh asks for one quarter, with every cache
# dropped just before; here the slab caches were dropped minutes before,
# and dropping them again would run the pools' shrinker itself).
stress_for() {
	# The page cache dropped (1: no shrinker runs for that), so that
	# reclaim finds little but the pools and the slab caches.
	sync
	echo 1 >/proc/sys/vm/drop_caches
	take=$(stress_bytes $((base * $1)))
	echo "+ stress-ng --vm 1 --vm-bytes ${take}k --vm-keep --vm-populate --timeout $STRESS_CAP"
	stress-ng --vm 1 --vm-bytes "${take}k" --vm-keep --vm-populate --timeout $STRESS_CAP >/dev/null 2>&1 &
	bg=$!
	meminfo
	stress_taken=$((mem_avail - take / 2)) stress_last=$mem_avail stress_held=''
}
# stress_hold: ends stress-ng (SIGINT: it stops its workers and exits 0)
# STRESS_SECONDS after the pressure event, or, without one, that long
# after it has taken what it asked for: MemAvailable below its start less
# half the request, and falling by under 1% of MemTotal in a second.
stress_hold() {
	_s=${now%.*}
	if [ -z "$stress_held" ]; then
		if [ -n "$first" ]; then
			stress_held=${first%.*}
		elif [ "$mem_avail" -lt "$stress_taken" ] &&
			[ $((stress_last - mem_avail)) -lt $((mem_total / 100)) ]; then
			stress_held=$_s
			echo "controller: stress-ng holds its memory at $now"
		fi
	fi
	stress_last=$mem_avail
	[ -n "$stress_held" ] && [ $((_s - stress_held)) -ge $STRESS_SECONDS ] || return 0
	kill -INT "$bg" 2>/dev/null
	# Once: the loop waits for it to exit.
	stress_held=999999999
}
# From the first pressure event to the cool-down's end, a line a second:
# the pools' least and most pages in it (the host judges the regrowth from
# them); the churn once stress-ng is gone. The event: the shrinker took
# tables, or iosupd cut a limit for memory pressure (its floor of free
# memory, iosupd(8): it can cut the pools before reclaim needs them, and
# the shrinker then never runs). A pressure that made the
# shrinker take nothing is asked again, once the last one's memory is
# back, a quarter of the pools larger, up to all of them (iosupd may have
# cut the pools itself for the low free memory, leaving reclaim nothing
# to ask of them).
quarters=1 base=$held
stress_for $quarters
first='' cool_end='' churn=0
while :; do
	watch 1
	if [ -z "$first" ]; then
		cuts=$(grep -c '(pressure' "$log")
		if [ "$shrunk" -gt "$shrunk_before" ] || [ "$cuts" -gt "$cuts_before" ]; then
			first=$now cool_end=$((${now%.*} + cooldown))
			echo "IOSUP-CTL-SHRINK t=$now shrunk=$((shrunk - shrunk_before)) iosupd_cuts=$((cuts - cuts_before)) quarters=$quarters"
		fi
	fi
	meminfo
	echo "IOSUP-CTL-MEM t=$now total=$mem_total avail=$mem_avail free=$mem_free pages=$pages limits=$limits stress=${bg:-none}"
	[ -z "$bg" ] || stress_hold
	[ -z "$first" ] || echo "IOSUP-CTL-COOL t=$now min=$wmin max=$wmax limits=$limits shrunk=$((shrunk - shrunk_before))"
	if [ -n "$bg" ] && ! kill -0 "$bg" 2>/dev/null; then
		wait "$bg" || fail "stress-ng exited $?"
		bg=''
		echo "controller: stress-ng done at $now"
		if [ -z "$first" ]; then
			[ $quarters -lt 4 ] || break
			i=0
			command -v pidof >/dev/null || fail "no pidof to wait for stress-ng with"
			while pidof stress-ng >/dev/null; do
				[ $i -lt 100 ] || fail "stress-ng still running 10 s after it returned"
				read -r -t 0.1 _ <&3
				i=$((i + 1))
			done
			watch 1
			quarters=$((quarters + 1))
			pages
			base=$pages
			stress_for $quarters
			continue
		fi
		left=$((cool_end - ${now%.*}))
		[ "$left" -ge 1 ] || break
		iosup-burst -t cool steady $STEADY $left >/dev/null &
		churn=$!
	fi
	[ -z "$cool_end" ] || [ "${now%.*}" -lt "$cool_end" ] || [ -n "$bg" ] || break
done
[ "$churn" = 0 ] || wait "$churn" || fail "steady churn in the cool-down exited $?"
kill $listener 2>/dev/null
wait $listener 2>/dev/null
echo "$boost" >/proc/sys/vm/watermark_boost_factor
echo "IOSUP-CTL-PRESSURE held=$held held_limits=$held_limits quarters=$quarters shrunk=$((shrunk - shrunk_before)) events=$(grep -c 'event=5 ' /tmp/events) iosupd_pressure_cuts=$(($(grep -c '(pressure' "$log") - cuts_before)) first=${first:-none} cooldown=$cooldown cool_end=${cool_end:-none}"

stop
echo "controller: iosupd's log:"
grep -v ' L[0-9]: misses ' "$log" | tail -n 80 | sed 's/^/  | /'
cat "$stats"
rmmod iosup || fail "rmmod"
exit 0
