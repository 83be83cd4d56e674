# A PV domU started by dom0, twice: first with no device, then with the
# second NVMe (rig_domu_pci= on dom0's command line, run.sh with RIG_DOMU=1)
# passed through. Each runs domu/init: a fork+exit and a fork+exec storm
# between marks. Its console reaches the rig's console through xenconsoled
# and "xl console", each line prefixed "domu-TAG| "; at each of its begin
# and end marks dom0 reads its own disk (the alignment probe, see
# mark_probe) and, on a hypervisor with the iosup counters, the domU's
# counters (an IOSUP-DOMUXEN line). After its storms the domU with the
# device loads iosup.ko, and dom0 checks the module's agent over xenstore
# (agent_checks: IOSUP-AGENT lines, which test-domu.sh asserts on), then
# iosupd steering it (steer_checks: IOSUP-STEER lines), saving and
# restoring it (saverestore_checks: IOSUP-SAVE lines), dom0's own storms
# beside it (dom0_checks), its idle pools (idle_checks: an IOSUP-IDLE
# line) and the domain turned hostile (hostile_checks: IOSUP-HOSTILE
# lines).
. /lib/rig/guest.sh

param() {
	for word in $(cat /proc/cmdline); do
		case $word in "$1="*) echo "${word#*=}" ;; esac
	done
}

# How long a domU may take from "xl create" to its domain's end.
DOMU_DEADLINE=900

bdf=$(param rig_domu_pci)
[ -n "$bdf" ] || { echo "domu: no rig_domu_pci= on dom0's command line (run.sh with RIG_DOMU=1)"; exit 1; }
: "${PROCS:=300}"

# xenconsole (xl console) locks /var/lock/xenconsole.DOMID; xl says so
# when it has no xl.conf (the defaults are what the rig wants).
mkdir -p /var/log/xen/console /var/lib/xen /run/xen /var/lock /etc/xen
: >/etc/xen/xl.conf
# libxl waits for xenconsoled to take the console; without it the domain
# is destroyed at creation.
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
	--log-dir=/var/log/xen/console || { echo "domu: xenconsoled failed"; exit 1; }
insmod /lib/modules/domu/xen-pciback.ko || { echo "domu: insmod xen-pciback failed"; exit 1; }
xl pci-assignable-add "$bdf" || { echo "domu: xl pci-assignable-add $bdf failed"; exit 1; }
xl pci-assignable-list | grep -q "^$bdf" ||
	{ echo "domu: $bdf is not in 'xl pci-assignable-list': $(xl pci-assignable-list)"; exit 1; }
echo "domu: $bdf assignable"

# dom0's uptime in milliseconds (10 ms steps).
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# forward TAG DOMID: the domU's console lines from stdin onto dom0's,
# prefixed; the probe read and the counters at each of its marks.
forward() {
	cr=$(printf '\r')
	while IFS= read -r line; do
		line=${line%"$cr"}
		echo "domu-$1| $line" >/dev/console
		case $line in
		*"IOSUP-MARK begin "* | *"IOSUP-MARK end "*)
			mark_probe
			what=${line#*IOSUP-MARK }
			what=${what%% procs=*}
			c=$(iosup-xen-counters --raw "$2" 2>/dev/null) &&
				echo "IOSUP-DOMUXEN ${what#* } ${what%% *} $c" >/dev/console
			;;
		*"IOSUP-MARK domu-ramp tag=$1 begin"*)
			now_ms >"/tmp/domu-$1.ramp-begin"
			;;
		*"IOSUP-MARK domu-ramp tag=$1 end"* | *"IOSUP-MARK domu-ramp tag=$1 failed"*)
			now_ms >"/tmp/domu-$1.ramp-end"
			;;
		*"IOSUP-MARK domu-done "*)
			touch "/tmp/domu-$1.forwarded"
			;;
		esac
	done
}

# agent_checks TAG DOMID: dom0's side of the agent's test (domu/init's
# agent()). Sets the domain's targets and ratio in control/iosup, owned by
# dom0 and only readable by the domain (as iosupd sets them), and reads
# back what the agent reports in data/iosup at each step; values it must
# refuse; then asks the domain to write its own target (through
# control/iosup-rig, a node of this test) and to unload the module. Says
# each reading as an IOSUP-AGENT line, a missing one too: the host asserts.
agent_checks() {
	agent_domid=$2 home=/local/domain/$2 glog=/var/log/xen/console/guest-domu-$1.log
	say() { echo "IOSUP-AGENT $*"; }
	# wait_log PATTERN SECONDS: the domain's console says PATTERN.
	wait_log() {
		i=0
		while ! grep -q "$1" "$glog" 2>/dev/null; do
			xl domid "domu-$tag" >/dev/null 2>&1 && [ $i -lt $(($2 * 5)) ] || return 1
			sleep 0.2
			i=$((i + 1))
		done
	}
	# limit_is LEVEL N [SECONDS]: the agent reports limit N at LEVEL
	# within SECONDS (5).
	limit_is() {
		until_s=$(($(date +%s) + ${3:-5}))
		while :; do
			case " $(xenstore-read "$home/data/iosup/level-$1" 2>/dev/null) " in
			*" limit=$2 "*) return 0 ;;
			esac
			[ "$(date +%s)" -lt "$until_s" ] || return 1
			sleep 0.2
		done
	}
	stats() {
		for l in 1 2 3 4; do
			if v=$(xenstore-read "$home/data/iosup/level-$l" 2>/dev/null); then
				say "stats phase=$1 level=$l value=$v"
			else
				say "stats phase=$1 level=$l missing"
			fi
		done
	}
	# set_node NODE VALUE: under control/, dom0's, the domain may read it.
	set_node() {
		xenstore-write -- "$home/control/$1" "$2" &&
			xenstore-chmod "$home/control/$1" n0 "r$agent_domid" ||
			say "dom0 could not write control/$1"
	}
	wait_log "IOSUP-MARK domu-agent tag=$1 insmod=" "$DOMU_DEADLINE" ||
		{ say "no-insmod"; return; }
	grep -q "IOSUP-MARK domu-agent tag=$1 insmod=ok" "$glog" || { say "insmod-failed"; return; }
	# Its storms with the pools at the module's defaults come first.
	wait_log "IOSUP-MARK domu-agent tag=$1 pooled" 300 || { say "no-pooled-storms"; return; }
	t0=$(date +%s)
	# The agent's first report, right after insmod.
	i=0
	while ! xenstore-read "$home/data/iosup/level-4" >/dev/null 2>&1 && [ $i -lt 25 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	stats initial
	set_node iosup-rig ''
	set_node iosup ''
	set_node iosup/target-l1 100
	set_node iosup/target-l2 50
	set_node iosup/ratio-l1 150
	limit_is 1 100 || true
	limit_is 2 50 || true
	stats target
	# Three a node, each refused; one message for the node.
	for v in 12a -1 99999999999; do
		set_node iosup/target-l1 "$v"
		sleep 0.2
	done
	set_node iosup/target-l2 0100
	set_node iosup/ratio-l1 1001
	# Two of the agent's report periods.
	sleep 2.5
	stats bad
	set_node iosup/target-l1 200
	lease_t0=$(date +%s)
	limit_is 1 200 || true
	stats after
	xenstore-ls -p "$home/control/iosup" | sed 's/^/IOSUP-AGENT perms /'
	set_node iosup-rig try-write
	wait_log "IOSUP-MARK domu-agent tag=$1 own-write=" 30 || say "no-own-write"
	v=$(xenstore-read "$home/control/iosup/target-l1" 2>/dev/null) || v=missing
	say "target-after-own-write value=$v"
	# dom0 writes nothing more: the domain's lease (domu/init's
	# AGENT_LEASE, 10 s from the last value taken) runs out, and its
	# limits go back to the module's defaults.
	limit_is 1 2048 25 || true
	limit_is 2 512 || true
	say "lease-wait seconds=$(($(date +%s) - lease_t0))"
	stats lease
	set_node iosup-rig unload
	wait_log "IOSUP-MARK domu-agent tag=$1 unloaded rc=" 30 || say "no-unload"
	if data=$(xenstore-list "$home/data" 2>&1); then
		case " $(echo "$data" | tr '\n' ' ') " in
		*" iosup "*) say "data-iosup=present" ;;
		*) say "data-iosup=gone" ;;
		esac
	else
		say "data-list=failed $data"
	fi
	say "time seconds=$(($(date +%s) - t0))"
}

# steer_checks TAG DOMID: iosupd steering the domain's agent (domu/init's
# steer()): iosupd starts in dom0 with a short control period and the
# domU's guest_lease_s (its module is loaded again with every limit 0).
# The domain ramps up from there (dom0 samples its invalidations:
# ramp_sampler), runs its marked storms ("steered") and the stale-entry
# check; dom0 reads the nodes iosupd wrote and their permissions, and
# iosupctl's view of the domain by its name; runs its own storm alone and
# under the domain's churn (dom0_checks); saves and restores it
# (saverestore_checks); waits for the idle domain's pools to shrink
# (idle_checks); pins its limits with a policy and waits out more than a
# lease (the limits must stay: iosupd renews them); has the domain try to
# write its own target, turn hostile (hostile_checks); destroys it, and
# sees iosupd forget it. IOSUP-STEER lines for the host.
STEER_LEASE=6
steer_checks() {
	steer_log=/tmp/iosupd-domu.log iosupd_pid='' pool_sampler=''
	steer_body "$@"
	[ -z "$pool_sampler" ] || kill "$pool_sampler" 2>/dev/null
	if [ -n "$iosupd_pid" ]; then
		kill "$iosupd_pid" 2>/dev/null
		wait "$iosupd_pid" 2>/dev/null
		grep -E "dom$agent_domid|error|warning" "$steer_log" | grep -v ' L[0-9]: misses ' |
			tail -n 40 | sed 's/^/IOSUP-STEER log /'
	fi
	# Whatever happened, the domain does not outlive its test.
	! xl domid "domu-$1" >/dev/null 2>&1 || xl destroy "domu-$1"
}
# levels: "L1,L2,L3,L4", the limits the agent reports; pools: the pages
# its pools hold; targets: the targets in control/iosup.
levels() { agent_field limit; }
pools() { agent_field pool; }
agent_field() { per_level data/iosup/level- "$1"; }
targets() { per_level control/iosup/target-l; }
# per_level NODE [KEY]: "L1,L2,L3,L4", each level's NODE<level> under the
# domain's home (KEY's value in it, with KEY), "missing" for one unread.
per_level() {
	_out=''
	for l in 1 2 3 4; do
		v=$(xenstore-read "$home/$1$l" 2>/dev/null) || v=''
		[ -z "${2:-}" ] || v=$(echo " $v " | sed -n "s/.* $2=\([0-9]*\) .*/\1/p")
		_out="$_out${_out:+,}${v:-missing}"
	done
	echo "$_out"
}
# sum LIST: the sum of a comma-separated list of numbers, or nothing when
# one is not a number.
sum() { echo "$1" | awk -F, '{ for (i = 1; i <= NF; i++) { if ($i !~ /^[0-9]+$/) exit; s += $i } print s }'; }
sets() { grep -c "dom$agent_domid: set L" "$steer_log" 2>/dev/null || true; }
renewals() { grep -c "dom$agent_domid: targets written again" "$steer_log" 2>/dev/null || true; }
# ramp_sampler TAG DOMID: from before the domain's ramp until its end
# mark (forward() stamps both ends), the domain's page-selective
# invalidations as Xen counts them, "MS:COUNT" lines as often as a
# process of dom0's can read them.
ramp_sampler() {
	: >"/tmp/domu-$1.ramp-samples"
	_i=0
	while [ ! -e "/tmp/domu-$1.ramp-end" ] && [ $_i -lt 3000 ]; do
		psi_sample "$2"
		_i=$((_i + 1))
	done >>"/tmp/domu-$1.ramp-samples"
	# One sample after the end mark, for the ramp's total.
	psi_sample "$2" >>"/tmp/domu-$1.ramp-samples"
}
# psi_sample DOMID: "MS:COUNT", the domain's page-selective invalidations
# by Xen's count now; nothing when they cannot be read.
psi_sample() {
	c=$(iosup-xen-counters --raw "$1" 2>/dev/null) &&
		echo "$(now_ms):$(echo " $c " | sed -n 's/.* iotlb_psi=\([0-9]*\) .*/\1/p')"
}
# pool_sampling: "MS SUM" of the domain's pools every half second, to
# /tmp/domu-pools (the idle check's peak), until killed.
pool_sampling() {
	while :; do
		v=$(sum "$(pools)")
		[ -z "$v" ] || echo "$(now_ms) $v"
		sleep 0.5
	done >>/tmp/domu-pools
}
steer_body() {
	say() { echo "IOSUP-STEER $*"; }
	mkdir -p /etc/iosup "$HOSTILE_METRICS"
	# The metrics file counts the periods run (hostile_checks).
	printf 'period_ms = %s\nguest_lease_s = %s\nmetrics_dir = %s\n' "$HOSTILE_PERIOD_MS" \
		"$STEER_LEASE" "$HOSTILE_METRICS" >/etc/iosup/iosupd.conf
	t0=$(date +%s)
	# The agent test's nodes go: iosupd makes control/iosup itself.
	xenstore-rm "$home/control/iosup" || say "dom0 could not remove control/iosup"
	start_iosupd "$steer_log" -v || { say "iosupd-failed"; return; }
	# forward() stamps the ramp's marks, which may come right after insmod.
	rm -f "/tmp/domu-$1.ramp-begin" "/tmp/domu-$1.ramp-end" "/tmp/domu-$1.ramp-samples"
	set_node iosup-rig steer
	wait_log "IOSUP-MARK domu-steer tag=$1 insmod=" 30 || { say "no-insmod"; return; }
	grep -q "IOSUP-MARK domu-steer tag=$1 insmod=ok" "$glog" || { say "insmod-failed"; return; }
	ramp_sampler "$1" "$agent_domid" &
	sampler=$!
	# The domain ramps once the sampler has its first reading.
	i=0
	while [ ! -s "/tmp/domu-$1.ramp-samples" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	set_node iosup-rig ramp
	wait "$sampler"
	say "ramp begin_ms=$(cat "/tmp/domu-$1.ramp-begin" 2>/dev/null) end_ms=$(cat "/tmp/domu-$1.ramp-end" 2>/dev/null) period_ms=$HOSTILE_PERIOD_MS samples=$(tr '\n' ',' <"/tmp/domu-$1.ramp-samples")"
	: >/tmp/domu-pools
	pool_sampling &
	pool_sampler=$!
	wait_log "IOSUP-MARK domu-steer tag=$1 churned" 300 || { say "no-churn"; return; }
	say "after-storms limits=$(levels) pools=$(pools) targets=$(targets) sets=$(sets)"
	xenstore-ls -p "$home/control" | grep -E '^(iosup |[[:space:]])' | sed 's/^/IOSUP-STEER perms /'
	iosupctl domains 2>&1 | sed 's/^/IOSUP-STEER domains /'
	iosupctl show "domu-$1" 2>&1 | sed 's/^/IOSUP-STEER show /'
	# dom0's storms: no process of the samplers meanwhile.
	kill "$pool_sampler" 2>/dev/null
	wait "$pool_sampler" 2>/dev/null
	pool_sampler=''
	dom0_checks "$1" || return
	saverestore_checks "$1" || return
	idle_checks "$1"
	# A policy pins every level; iosupd writes the targets at its next
	# period, and the agent reports them within a period or two. Then
	# nothing changes the targets for longer than a lease: only iosupd's
	# renewals keep them from the module's defaults (0).
	# Timed by a watch on the last level's target (iosupd writes the
	# levels in order, and writes them again on each renewal), set before
	# the policy: one process that says each write as it happens, each
	# read back and stamped once it says 64 (late by a read at most).
	rm -f /tmp/domu-pin-ms
	timeout 15 xenstore-watch "$home/control/iosup/target-l4" 2>/dev/null | while read -r _; do
		[ "$(xenstore-read "$home/control/iosup/target-l4" 2>/dev/null)" != 64 ] ||
			{ now_ms >/tmp/domu-pin-ms; break; }
	done &
	pin_watch=$!
	sleep 0.5
	p0=$(now_ms)
	iosupctl policy set "$agent_domid" min_pages=64 max_pages=64 >/dev/null 2>&1 ||
		say "policy-set-failed"
	wait "$pin_watch"
	p1=$(cat /tmp/domu-pin-ms 2>/dev/null || now_ms)
	limit_is 1 64 10 && limit_is 2 64 && limit_is 3 64 && limit_is 4 64 || true
	say "pinned limits=$(levels) targets=$(targets) targets_ms=$((p1 - p0)) limits_ms=$(($(now_ms) - p0))"
	s0=$(sets) r0=$(renewals) h0=$(date +%s)
	sleep $((STEER_LEASE + 3))
	say "held limits=$(levels) targets=$(targets) sets=$(($(sets) - s0)) renewals=$(($(renewals) - r0)) seconds=$(($(date +%s) - h0))"
	set_node iosup-rig steer-write
	wait_log "IOSUP-MARK domu-steer tag=$1 own-write=" 30 || say "no-own-write"
	say "after-own-write targets=$(targets)"
	set_node iosup-rig hostile
	hostile_checks "$1"
	set_node iosup-rig steer-end
	wait_log "IOSUP-MARK domu-done tag=$1" 30 || say "no-done"
	# The device goes first, while the domain runs: its pcifront then
	# says all of its known report (run.sh), which a domain destroyed
	# mid-way would cut short. The domU's console must reach dom0 before
	# the domain goes.
	xl pci-detach "domu-$1" "$bdf" >/dev/null 2>&1 || say "detach-failed"
	sleep 1
	xl destroy "domu-$1" || say "destroy-failed"
	d0=$(date +%s)
	while iosupctl domains 2>/dev/null | grep -qE "^ +$agent_domid "; do
		[ $(($(date +%s) - d0)) -lt 10 ] || break
		sleep 0.2
	done
	iosupctl domains 2>&1 | sed 's/^/IOSUP-STEER gone-domains /'
	say "gone seconds=$(($(date +%s) - d0)) control=$(xenstore-read "$home/control/iosup/target-l1" >/dev/null 2>&1 && echo present || echo gone) policy=$(xenstore-read "/iosup/policy/$agent_domid/max_pages" >/dev/null 2>&1 && echo present || echo gone)"
	say "time seconds=$(($(date +%s) - t0))"
}

# forgotten SECONDS: iosupd no longer lists the domain, within SECONDS.
forgotten() {
	_t=$(($(date +%s) + $1))
	while iosupctl domains 2>/dev/null | grep -qE "^ +$agent_domid "; do
		[ "$(date +%s)" -lt "$_t" ] || return 1
		sleep 0.2
	done
}

# saverestore_checks TAG: "xl save -D" (the domid kept for the restore)
# with the pools as the storms left them, and "xl restore": the domain
# must come back on the same domid, which iosupd must take as a new
# domain (its live policy, set before, gone: a reused domid starts from
# the default policy), its agent report again, and its storms (domu/init's
# "restored" step) find the floor again. A PV domain cannot be saved with
# a device passed through (Linux 6.1's restore_pirqs: "save/restore of PT
# devices doesn't work"; tried, the domU's resume faults there), so the
# device is detached first and attached again after the restore, as an
# operator does; the domain keeps its IOMMU context meanwhile (passthrough
# "enabled" in its config). IOSUP-SAVE lines for the host.
saverestore_checks() {
	ssay() { echo "IOSUP-SAVE $*"; }
	# A live policy for this domid that changes nothing here (every
	# limit is above it): after the domain is gone it must be too.
	iosupctl policy set "$agent_domid" min_pages=8 >/dev/null 2>&1 || ssay "policy-set-failed"
	ssay "before domid=$agent_domid pools=$(pools) limits=$(levels) policy_min=$(xenstore-read "/iosup/policy/$agent_domid/min_pages" 2>/dev/null || echo missing)"
	img=/tmp/domu-$1.save
	xl pci-detach "domu-$1" "$bdf" >/tmp/domu-save.log 2>&1 && rc=0 || rc=$?
	ssay "detached rc=$rc"
	[ $rc -eq 0 ] || { sed 's/^/IOSUP-SAVE xl: /' /tmp/domu-save.log; return 1; }
	s0=$(now_ms)
	xl save -D "domu-$1" "$img" >/tmp/domu-save.log 2>&1 && rc=0 || rc=$?
	ssay "saved rc=$rc ms=$(($(now_ms) - s0)) bytes=$(stat -c %s "$img" 2>/dev/null || echo 0)"
	[ $rc -eq 0 ] || { sed 's/^/IOSUP-SAVE xl: /' /tmp/domu-save.log; return 1; }
	forgotten 10 || ssay "not-forgotten"
	ssay "between control=$(xenstore-read "$home/control/iosup/target-l1" >/dev/null 2>&1 && echo present || echo gone) policy=$(xenstore-read "/iosup/policy/$agent_domid/min_pages" >/dev/null 2>&1 && echo present || echo gone)"
	r0=$(now_ms)
	# libxl keeps a destroyed domain's id out of use for a minute
	# (LIBXL_DOMID_REUSE_TIMEOUT, 60 s); the restore takes it back at
	# once, the quickest reuse iosupd can meet.
	LIBXL_DOMID_REUSE_TIMEOUT=0 xl restore "$img" >/tmp/domu-restore.log 2>&1 && rc=0 || rc=$?
	ssay "restored rc=$rc ms=$(($(now_ms) - r0)) domid=$(xl domid "domu-$1" 2>/dev/null || echo none)"
	rm -f "$img"
	[ $rc -eq 0 ] || { sed 's/^/IOSUP-SAVE xl: /' /tmp/domu-restore.log; return 1; }
	xl pci-attach "domu-$1" "$bdf" >/tmp/domu-restore.log 2>&1 && rc=0 || rc=$?
	ssay "attached rc=$rc"
	[ $rc -eq 0 ] || { sed 's/^/IOSUP-SAVE xl: /' /tmp/domu-restore.log; return 1; }
	# The old console ended with the old domain: a new one.
	sleep 100000 | xl console "domu-$1" 2>>"/tmp/domu-$1.console-err" |
		forward "$1" "$agent_domid" &
	fwd=$!
	# The restored domain's xenstore is a new one: the rig's node too.
	set_node iosup-rig restored
	wait_log "IOSUP-MARK domu-restore tag=$1 stormed" 300 || { ssay "no-restored-storms"; return 1; }
	ssay "after pools=$(pools) limits=$(levels) targets=$(targets) policy_min=$(xenstore-read "/iosup/policy/$agent_domid/min_pages" 2>/dev/null || echo missing)"
	iosupctl policy get "$agent_domid" 2>&1 | sed 's/^/IOSUP-SAVE policy /'
	iosupctl show "domu-$1" 2>&1 | sed 's/^/IOSUP-SAVE show /'
}

# dom0_checks TAG: dom0's own fork+exit storm (no pool in dom0 here: its
# strict IOMMU's 9 a process), alone, then while the domain churns
# (domu/init's "churn" step): the domain's flushes are its own VT-d
# domain's and must not show in dom0's rate.
DOM0_PROCS=300
dom0_checks() {
	iosup-lat-proc -m -n $DOM0_PROCS -w 10 -t dom0-alone-forkexit fork-exit >/dev/null ||
		{ say "dom0-storm-failed"; return 1; }
	set_node iosup-rig churn
	wait_log "IOSUP-MARK domu-churn tag=$1 begin" 30 || { say "no-churn-begin"; return 1; }
	sleep 2
	iosup-lat-proc -m -n $DOM0_PROCS -w 10 -t dom0-underdomu-forkexit fork-exit >/dev/null ||
		{ say "dom0-storm-failed"; return 1; }
	set_node iosup-rig churn-stop
	wait_log "IOSUP-MARK domu-churn tag=$1 end" 30 || { say "no-churn-end"; return 1; }
}

# idle_checks TAG: from the end of its churn the domain is idle (domu/init's
# "idle" step: not a process until dom0's next step); its pools (sampled,
# an IOSUP-IDLE line) must fall to a tenth of their peak since the ramp
# (pool_sampling's) within IDLE_SECONDS; dom0 watches a little longer.
IDLE_SECONDS=60
idle_checks() {
	peak=$(awk '$2 > p { p = $2 } END { print p + 0 }' /tmp/domu-pools)
	set_node iosup-rig idle
	wait_log "IOSUP-MARK domu-idle tag=$1 begin" 30 || { say "no-idle"; return; }
	i0=$(now_ms) v=''
	while [ $(($(now_ms) - i0)) -lt $(((IDLE_SECONDS + 10) * 1000)) ]; do
		v=$(sum "$(pools)")
		[ -z "$v" ] || [ $((v * 10)) -gt "$peak" ] || break
		sleep 0.5
	done
	echo "IOSUP-IDLE peak=$peak samples=$(wc -l </tmp/domu-pools) pools=${v:-missing} ms=$(($(now_ms) - i0)) limits=$(levels) targets=$(targets)"
	set_node iosup-rig idle-end
	wait_log "IOSUP-MARK domu-idle tag=$1 end" 30 || say "no-idle-end"
}

# hostile_checks TAG: dom0's side of the hostile domain (domu/init's
# hostile(), within steer_body: iosupd runs, the policy pins every level
# at 64). What iosupd did around each of the domain's steps: the targets
# it set while the domain wrote garbage; the periods it ran and its CPU
# time (and xenstored's) over the storm, from its metrics file and
# /proc/PID/stat; the policy and control nodes the domain tried to write;
# iosupd's warnings about the domain. IOSUP-HOSTILE lines for the host.
HOSTILE_PERIOD_MS=1000
HOSTILE_METRICS=/run/iosup-metrics
hostile_checks() {
	hsay() { echo "IOSUP-HOSTILE $*"; }
	# Uptime in centiseconds; a process's user and system time in ticks.
	now_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }
	ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo -1; }
	periods() {
		awk '$1 == "iosup_periods_total" { print $2 }' "$HOSTILE_METRICS/iosup.prom" 2>/dev/null
	}
	node() { xenstore-read "$1" 2>/dev/null || echo missing; }
	hmark() { wait_log "IOSUP-MARK domu-hostile tag=$1 $2" "$3" || { hsay "no-mark $2"; return 1; }; }
	xs_pid=$(pidof xenstored oxenstored 2>/dev/null | awk '{ print $1 }')
	h0=$(date +%s)
	hmark "$1" garbage-begin 30 || return
	s0=$(sets)
	hmark "$1" garbage-end 60 || return
	hsay "garbage sets=$(($(sets) - s0)) targets=$(targets)"
	# Before the storm, the claims held: iosupd's CPU time with no storm.
	bt0=$(now_cs) bc0=$(ticks "$iosupd_pid")
	hmark "$1" storm-begin 30 || return
	st0=$(now_cs) sc0=$(ticks "$iosupd_pid") sx0=$(ticks "${xs_pid:-0}") sp0=$(periods)
	hsay "baseline cs=$((st0 - bt0)) iosupd_ticks=$((sc0 - bc0))"
	hmark "$1" storm-end 90 || return
	st1=$(now_cs) sc1=$(ticks "$iosupd_pid") sx1=$(ticks "${xs_pid:-0}") sp1=$(periods)
	hsay "storm cs=$((st1 - st0)) periods=$((${sp1:-0} - ${sp0:-0})) have_periods=${sp0:+yes} period_ms=$HOSTILE_PERIOD_MS iosupd_ticks=$((sc1 - sc0)) xenstored_ticks=$((sx1 - sx0)) hz=$(getconf CLK_TCK 2>/dev/null || echo 100)"
	hmark "$1" 'done' 30 || return
	home=/local/domain/$agent_domid
	hsay "nodes policy_max=$(node "/iosup/policy/$agent_domid/max_pages") policy_mode=$(node "/iosup/policy/$agent_domid/mode") default_mode=$(node /iosup/policy/default/mode) dom0_mode=$(node /iosup/policy/0/mode) policy_stray=$(node /iosup/policy/hostile) root_stray=$(node /iosup/hostile) control_stray=$(node "$home/control/iosup/hostile") target_l1=$(node "$home/control/iosup/target-l1") ratio_l1=$(node "$home/control/iosup/ratio-l1")"
	hsay "after targets=$(targets) limits=$(levels)"
	for kind in malformed oversize 'unknown key' 'out of bound'; do
		n=$(grep -c "dom$agent_domid: pool stats refused ($kind): .*at most one such warning a minute" \
			"$steer_log" || true)
		hsay "warnings kind=$(echo "$kind" | tr ' ' -) count=$n"
	done
	grep "dom$agent_domid: .*at most one such warning a minute" "$steer_log" |
		cut -c1-300 | sed 's/^/IOSUP-HOSTILE warning /'
	hsay "over-share count=$(grep -c "dom$agent_domid: its agent reports pools allowed [0-9]* pages, above its share" "$steer_log" || true)"
	hsay "stray-said count=$(grep -cE 'data/iosup/(level-5|hostile)' "$steer_log" || true)"
	hsay "alive=$(kill -0 "$iosupd_pid" 2>/dev/null && echo yes || echo no)"
	hsay "time seconds=$(($(date +%s) - h0))"
}

# run_domu TAG BDF AGENT: one domU (with the device at BDF, unless empty;
# with the agent's test if AGENT is 1), to its end; 1 (said) if it did not finish
# its storms.
run_domu() {
	tag=$1 cfg=/tmp/domu-$1.cfg
	{
		echo "name = \"domu-$tag\""
		echo 'type = "pv"'
		echo 'kernel = "/domu/bzImage"'
		echo 'ramdisk = "/domu/initrd.gz"'
		# norandmaps: a process's page-table tree depends on where its
		# stack and vDSO land; randomized, the stock storm cost 9 a
		# fork+exit in most boots and 10 in one (a table more for a
		# region straddling a boundary). Every process the same tree.
		echo "extra = \"console=hvc0 norandmaps rig_domu_tag=$tag rig_procs=$PROCS rig_domu_agent=$3\""
		echo 'memory = 256'
		echo 'vcpus = 1'
		echo 'on_poweroff = "destroy"'
		echo 'on_reboot = "destroy"'
		echo 'on_crash = "destroy"'
		# "enabled": the domain keeps its IOMMU context while its
		# device is detached (saverestore_checks).
		[ -z "$2" ] || printf 'pci = [ "%s" ]\npassthrough = "enabled"\n' "$2"
	} >"$cfg"
	echo "domu: xl create $cfg: $(tr '\n' ';' <"$cfg")"
	xl create "$cfg" || { echo "domu: xl create failed"; xl dmesg | tail -n 30; return 1; }
	domid=$(xl domid "domu-$tag") || { echo "domu: domu-$tag vanished at creation"; xl dmesg | tail -n 30; return 1; }
	echo "domu: domu-$tag is domain $domid"
	# xenconsole exits on end of input: give it an input that never ends.
	sleep 100000 | xl console "domu-$tag" 2>"/tmp/domu-$tag.console-err" |
		forward "$tag" "$domid" &
	fwd=$!
	[ "$3" != 1 ] || { agent_checks "$tag" "$domid"; steer_checks "$tag" "$domid"; }
	t=0
	while xl domid "domu-$tag" >/dev/null 2>&1; do
		if [ $t -ge $DOMU_DEADLINE ]; then
			echo "domu: domu-$tag still runs after ${DOMU_DEADLINE}s:"
			xl list
			xl dmesg | tail -n 30
			xl destroy "domu-$tag"
			break
		fi
		[ $((t % 60)) -ne 59 ] || echo "domu: domu-$tag runs for ${t}s: $(xl list | grep "domu-$tag")"
		sleep 1
		t=$((t + 1))
	done
	sleep 1
	kill $fwd 2>/dev/null
	pkill -P $$ sleep 2>/dev/null
	[ ! -s "/tmp/domu-$tag.console-err" ] ||
		sed "s/^/domu: xl console: /" "/tmp/domu-$tag.console-err"
	log=/var/log/xen/console/guest-domu-$tag.log
	if ! grep -q "IOSUP-MARK domu-done tag=$tag" "$log" 2>/dev/null; then
		# Its marks defused: the host must not read them a second time.
		echo "domu: domu-$tag did not finish; its console log ($log):"
		tail -n 60 "$log" 2>/dev/null | sed "s/IOSUP-MARK/IOSUP_MARK/; s/^/domu-$tag log| /"
		xl dmesg | tail -n 30
		return 1
	fi
	[ -f "/tmp/domu-$tag.forwarded" ] ||
		{ echo "domu: domu-$tag finished, but its console did not reach dom0's"; return 1; }
	echo "domu: domu-$tag done in ${t}s"
}

run_domu nodev '' 0 || exit 1
run_domu dev "$bdf" 1 || exit 1
