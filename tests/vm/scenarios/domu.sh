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
# iosupd steering it (steer_checks: IOSUP-STEER lines) and the domain
# turned hostile (hostile_checks: IOSUP-HOSTILE lines).
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
# domU's guest_lease_s (its module is loaded again with every limit 0),
# the domain churns, then runs its marked storms ("steered"); dom0 reads
# the nodes iosupd wrote and their permissions, iosupctl's view of the
# domain by its name, pins its limits with a policy and waits out more
# than a lease (the limits must stay: iosupd renews them), has the domain
# try to write its own target, destroys it, and sees iosupd forget it.
# IOSUP-STEER lines for the host.
STEER_LEASE=6
steer_checks() {
	steer_log=/tmp/iosupd-domu.log iosupd_pid=''
	steer_body "$@"
	if [ -n "$iosupd_pid" ]; then
		kill "$iosupd_pid" 2>/dev/null
		wait "$iosupd_pid" 2>/dev/null
		grep -E "dom$agent_domid|error|warning" "$steer_log" | grep -v ' L[0-9]: misses ' |
			tail -n 40 | sed 's/^/IOSUP-STEER log /'
	fi
	# Whatever happened, the domain does not outlive its test.
	! xl domid "domu-$1" >/dev/null 2>&1 || xl destroy "domu-$1"
}
steer_body() {
	say() { echo "IOSUP-STEER $*"; }
	# levels: "L1 L2 L3 L4", the limits the agent reports; targets: the
	# targets in control/iosup.
	levels() {
		_out=''
		for l in 1 2 3 4; do
			v=$(xenstore-read "$home/data/iosup/level-$l" 2>/dev/null) && v=${v##*limit=} || v=missing
			_out="$_out${_out:+,}$v"
		done
		echo "$_out"
	}
	targets() {
		_out=''
		for l in 1 2 3 4; do
			v=$(xenstore-read "$home/control/iosup/target-l$l" 2>/dev/null) || v=missing
			_out="$_out${_out:+,}$v"
		done
		echo "$_out"
	}
	sets() { grep -c "dom$agent_domid: set L" "$steer_log" 2>/dev/null || true; }
	renewals() { grep -c "dom$agent_domid: targets written again" "$steer_log" 2>/dev/null || true; }
	mkdir -p /etc/iosup "$HOSTILE_METRICS"
	# The metrics file counts the periods run (hostile_checks).
	printf 'period_ms = %s\nguest_lease_s = %s\nmetrics_dir = %s\n' "$HOSTILE_PERIOD_MS" \
		"$STEER_LEASE" "$HOSTILE_METRICS" >/etc/iosup/iosupd.conf
	t0=$(date +%s)
	# The agent test's nodes go: iosupd makes control/iosup itself.
	xenstore-rm "$home/control/iosup" || say "dom0 could not remove control/iosup"
	start_iosupd "$steer_log" -v || { say "iosupd-failed"; return; }
	set_node iosup-rig steer
	wait_log "IOSUP-MARK domu-steer tag=$1 insmod=" 30 || { say "no-insmod"; return; }
	grep -q "IOSUP-MARK domu-steer tag=$1 insmod=ok" "$glog" || { say "insmod-failed"; return; }
	wait_log "IOSUP-MARK domu-steer tag=$1 churned" 120 || { say "no-churn"; return; }
	say "after-storms limits=$(levels) targets=$(targets) sets=$(sets)"
	xenstore-ls -p "$home/control" | grep -E '^(iosup |[[:space:]])' | sed 's/^/IOSUP-STEER perms /'
	iosupctl domains 2>&1 | sed 's/^/IOSUP-STEER domains /'
	iosupctl show "domu-$1" 2>&1 | sed 's/^/IOSUP-STEER show /'
	# A policy pins every level; the agent reports it within a period or
	# two. Then nothing changes the targets for longer than a lease: only
	# iosupd's renewals keep them from the module's defaults (0).
	p0=$(date +%s)
	iosupctl policy set "$agent_domid" min_pages=64 max_pages=64 >/dev/null 2>&1 ||
		say "policy-set-failed"
	limit_is 1 64 10 && limit_is 2 64 && limit_is 3 64 && limit_is 4 64 || true
	say "pinned limits=$(levels) targets=$(targets) seconds=$(($(date +%s) - p0))"
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
	# The domU's console must reach dom0 before the domain goes.
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
		echo "extra = \"console=hvc0 rig_domu_tag=$tag rig_procs=$PROCS rig_domu_agent=$3\""
		echo 'memory = 256'
		echo 'vcpus = 1'
		echo 'on_poweroff = "destroy"'
		echo 'on_reboot = "destroy"'
		echo 'on_crash = "destroy"'
		[ -z "$2" ] || echo "pci = [ \"$2\" ]"
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
