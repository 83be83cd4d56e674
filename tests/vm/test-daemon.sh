#!/usr/bin/env bash
# iosupd and iosupctl in the rig: the patched dom0 kernel with the iosup
# module loaded at limit 0, the real xenstored, the patched hypervisor's
# counters, iosupd at its default period (scenario daemon). Checks:
#   grow     after three control periods of churn, a storm runs at the
#            floor: page-selective invalidations per fork+exit (QEMU's
#            count) at most FLOOR
#   shrink   with the churn stopped, the pools hold at most a tenth of
#            their peak within 60 s
#   agree    `iosupctl status --json` and `show 0 --json` against the
#            module's stats and Xen's counters read just before and just
#            after: limits equal, counters within that bracket
#   observe  mode=observe from `iosupctl policy set`: churn moves no limit
#            and the log says "would"; mode=enforce: the limits grow again
#   domU     misses in a domain's agent's report (stood in for by xenstore
#            writes in dom0) make iosupd write its targets, at least the
#            controller's smallest step on every level; a refused report
#            is warned about once, over three periods, and moves nothing
#   kill     after SIGKILL a storm still runs at the floor; a new iosupd
#            takes the lease over, no limit falls back to 0, and a storm
#            after the lease would have run out is at the floor
#   stop     SIGTERM: exit 0, the limits handed back to the module's
#            defaults; the module's debug checks saw no violation
#   bench    iosupd's CPU time and memory over --bench-seconds (default
#            120; the long tier runs 600) of bursty churn (scenario
#            daemon-bench): its peak RSS under 8 MiB, and its share of
#            dom0's emulated CPU under BENCH_CPU_MAX (asserted in emulated
#            terms, which are what the rig measures; the conversion to this
#            host's CPU is printed beside it: target under 0.5%)
# and, as for every boot, no warning, BUG or lockdep splat (run.sh).
#
# usage: test-daemon.sh [--bench-seconds S] [--keep] [--check RUN_DIR]
#   --check  no boot: check the logs of an earlier run (its daemon/ dir)
# Ends with "daemon: PASS" (exit 0) or "daemon: FAIL" (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

keep=0 bench_seconds=${BENCH_SECONDS:-120} check=''
# iosupd's bounds in the bench: 2.2% of dom0's emulated CPU was measured
# over 600 s alone (0.04-0.9% of this host's CPU). In the test command's
# 120 s, beside the soak lane's rigs, eight runs measured 2.8 to 5.8% (the
# emulation's speed moves with the host's load: 5.8% came with it 1.2x
# slower than the host at computing, 4.1% with it 0.8x); 8% is above that
# spread and still fails a daemon that doubles its work or spins. RSS: the
# target, 2.2 MiB measured.
BENCH_CPU_MAX=8
BENCH_HWM_MAX_KB=8192
# The floor kshim allows a warm pool (the issue's bound for fork+exit).
FLOOR=0.05
SHRINK_SECONDS=60
while [ $# -gt 0 ]; do
	case $1 in
	--bench-seconds) bench_seconds=$2; shift ;;
	--keep) keep=1 ;;
	--check) check=$2; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $bench_seconds =~ ^[1-9][0-9]{1,4}$ ]] ||
	die "--bench-seconds: '$bench_seconds' is not a number of seconds from 10 to 99999"
need_root
command -v jq >/dev/null || die "jq is missing (run scripts/deps)"

out=$(mktemp -d /tmp/iosup-daemon.XXXXXX)
TEST_NAME=daemon TEST_OUT=$out TEST_KEEP=$keep

if [ -n "$check" ]; then
	[ -f "$check/console.log" ] || die "--check: no console.log in '$check'"
	ln -s "$(realpath "$check")" "$out/daemon"
else
	build_pool "$out"
	phase patched-xen "$SRC_ROOT/kshim/xen/build.sh" >"$out/xen.inputs" ||
		{ test_fail "kshim/xen/build.sh failed"; test_finish; }
	# The patched kernel under the patched hypervisor: its XEN_* win.
	cat "$out/kernel.inputs" <(grep '^XEN_' "$out/xen.inputs") >"$out/daemon.inputs"
	log "boot 'daemon'"
	if ! "$RIG_DIR/run.sh" --inputs "$out/daemon.inputs" \
		--dom0-args "norandmaps rig_bench_seconds=$bench_seconds" \
		--deadline $((bench_seconds + 600)) --out "$out/daemon" \
		--extra-ko "$(cat "$out/module")" daemon daemon-bench >/dev/null; then
		test_fail "the daemon boot failed (see $out/daemon/console.log)"
		test_finish
	fi
fi
console=$out/daemon/console.log

# line WHAT: the scenario's IOSUP-DAEMON-WHAT line, without the stamp.
# (Empty when missing: the checks then say what is missing.)
line() { { grep -a "IOSUP-DAEMON-$1 " "$console" || true; } | tail -n1 | cut -d' ' -f3-; }
# sum_csv A,B,C: their sum.
sum_csv() { tr ',' '\n' <<<"$1" | awk '{ n += $1 } END { print n + 0 }'; }

check_floor() {
	local tag=$1 rate procs
	rate=$(tsv "$out/daemon" "$tag" pages_per_proc) || { test_fail "$tag: no such storm"; return; }
	procs=$(tsv "$out/daemon" "$tag" procs)
	printf '  %-10s %4s fork+exits: %s invalidations per process (floor %s)\n' "$tag" "$procs" "$rate" "$FLOOR"
	le "$rate" "$FLOOR" || test_fail "$tag: $rate invalidations per process, above $FLOOR"
}

echo
echo "grow: churn from limit 0 for three control periods (2 s each), then"
g=$(line GROW)
check_floor grown
printf '  limits (L1..L4) %s before the churn, %s after; pages pooled at the peak %s\n' \
	"$(kv "$g" limits_before)" "$(kv "$g" limits_after)" "$(kv "$g" pool_peak)"

s=$(line SHRINK)
if [ -n "$s" ]; then
	peak=$(kv "$s" peak) pool=$(kv "$s" pool) secs=$(kv "$s" seconds)
	printf 'shrink: %s pages pooled at the peak, %s after %s s (limits %s)\n' "$peak" "$pool" "$secs" "$(kv "$s" limits)"
	[ "$((pool * 10))" -le "$peak" ] || test_fail "shrink: $pool pages still pooled, more than a tenth of $peak"
	[ "$secs" -le $SHRINK_SECONDS ] || test_fail "shrink: took $secs s, more than $SHRINK_SECONDS"
else
	test_fail "shrink: no IOSUP-DAEMON-SHRINK line"
fi

# agree: module stats lines are "L<n> pool limit hits misses ..." joined by ';'.
stats() {
	{ grep -a "IOSUP-MODSTATS $1 " "$console" || true; } | tail -n1 | cut -d' ' -f4- |
		tr ';' '\n' | { grep '^L[0-9] ' || true; }
}
xen() { { grep -a "IOSUP-XEN $1 " "$console" || true; } | tail -n1 | cut -d' ' -f4-; }
json() { { grep -a "IOSUP-JSON $1 " "$console" || true; } | tail -n1 | cut -d' ' -f4-; }
# field_of LINES COLUMN: that column summed over LINES ('-': stdin).
field_of() {
	if [ "$1" = - ]; then awk -v c="$2" '{ n += $c } END { print n + 0 }'
	else awk -v c="$2" '{ n += $c } END { print n + 0 }' <<<"$1"; fi
}
# pool_bounds BEFORE AFTER: the low and high bounds of the pages pooled
# between two readings. Pages come in only as tables taken (column 6) and
# leave only as hits (4) or released (8): the pool then lay within the
# first reading less what left and plus what came in.
pool_bounds() {
	local p h t r
	p=$(field_of "$1" 2)
	h=$(($(field_of "$2" 4) - $(field_of "$1" 4)))
	t=$(($(field_of "$2" 6) - $(field_of "$1" 6)))
	r=$(($(field_of "$2" 8) - $(field_of "$1" 8)))
	echo "$((p - h - r)) $((p + t))"
}
# within WHAT LOW VALUE HIGH
within() {
	[ -n "$3" ] && [ "$3" != null ] && [ "$2" -le "$3" ] && [ "$3" -le "$4" ] ||
		test_fail "agree: $1 is '$3', not within [$2, $4] as read around it"
}
agree() {
	local st sh xb xa l b a field col v lo hi
	st=$(json status) sh=$(json show) xb=$(xen before) xa=$(xen after)
	[ -n "$st" ] && [ -n "$sh" ] && [ -n "$xb" ] && [ -n "$xa" ] || { test_fail "agree: lines missing"; return; }
	jq -e . >/dev/null <<<"$st" || { test_fail "agree: status --json is not JSON"; return; }
	jq -e . >/dev/null <<<"$sh" || { test_fail "agree: show --json is not JSON"; return; }
	for l in 1 2 3 4; do
		b=$(stats before | awk -v l="L$l" '$1 == l') a=$(stats after | awk -v l="L$l" '$1 == l')
		[ -n "$b" ] && [ -n "$a" ] || { test_fail "agree: no L$l stats"; continue; }
		# Counters only grow, and the limits did not move (paused).
		for field in limit:3 hits:4 misses:5; do
			col=${field#*:} field=${field%:*}
			v=$(jq -r ".domain.levels[] | select(.level == $l) | .$field" <<<"$sh")
			within "show L$l $field" "$(field_of "$b" "$col")" "$v" "$(field_of "$a" "$col")"
		done
		v=$(jq -r ".domain.levels[] | select(.level == $l) | .pool" <<<"$sh")
		read -r lo hi <<<"$(pool_bounds "$b" "$a")"
		within "show L$l pool" "$lo" "$v" "$hi"
	done
	for field in limit:3 misses:5; do
		col=${field#*:} field=${field%:*}
		within "status dom0 $field" "$(stats before | field_of - "$col")" \
			"$(jq -r ".domains[] | select(.domid == 0) | .$field" <<<"$st")" \
			"$(stats after | field_of - "$col")"
	done
	read -r lo hi <<<"$(pool_bounds "$(stats before)" "$(stats after)")"
	within "status dom0 pool" "$lo" "$(jq -r '.domains[] | select(.domid == 0) | .pool' <<<"$st")" "$hi"
	within "status dom0 psi" "$(kv "$xb" iotlb_psi)" \
		"$(jq -r '.domains[] | select(.domid == 0) | .psi' <<<"$st")" "$(kv "$xa" iotlb_psi)"
	for field in psi:iotlb_psi dsi:iotlb_dsi unmaps:pt_unmaps maps:pt_maps; do
		within "show xen ${field%:*}" "$(kv "$xb" "${field#*:}")" \
			"$(jq -r ".domain.xen.${field%:*}" <<<"$sh")" "$(kv "$xa" "${field#*:}")"
	done
	[ "$(jq -r .status.state <<<"$st")" = paused ] ||
		test_fail "agree: status says '$(jq -r .status.state <<<"$st")', not paused"
	printf 'agree: status --json and show 0 --json within the module'"'"'s and Xen'"'"'s readings around them\n'
	printf '  dom0: pool %s, limit %s, misses %s, psi %s (Xen %s .. %s)\n' \
		"$(jq -r '.domains[] | select(.domid == 0) | .pool' <<<"$st")" \
		"$(jq -r '.domains[] | select(.domid == 0) | .limit' <<<"$st")" \
		"$(jq -r '.domains[] | select(.domid == 0) | .misses' <<<"$st")" \
		"$(jq -r '.domains[] | select(.domid == 0) | .psi' <<<"$st")" \
		"$(kv "$xb" iotlb_psi)" "$(kv "$xa" iotlb_psi)"
}
agree

o=$(line OBSERVE) e=$(line ENFORCE)
printf 'observe: limits %s before, %s after four periods of churn; %s "would" lines\n' \
	"$(kv "$o" limits_before)" "$(kv "$o" limits_after)" "$(kv "$o" would_lines)"
[ -n "$o" ] && [ "$(kv "$o" limits_before)" = "$(kv "$o" limits_after)" ] ||
	test_fail "observe: the limits moved"
[ "$(kv "$o" would_lines)" -gt 0 ] 2>/dev/null || test_fail "observe: no \"would\" in the log"
printf 'enforce: limits %s before, %s after three periods of churn\n' \
	"$(kv "$e" limits_before)" "$(kv "$e" limits_after)"
[ -n "$e" ] && [ "$(sum_csv "$(kv "$e" limits_after)")" -gt "$(sum_csv "$(kv "$e" limits_before)")" ] ||
	test_fail "enforce: the limits did not grow"

u=$(line DOMU)
printf 'domU: targets L1..L4 %s after 500 reported misses a level; %s after a refused report (%s warning(s))\n' \
	"$(kv "$u" targets)" "$(kv "$u" after_refused)" "$(kv "$u" refused_lines)"
for t in $(tr ',' ' ' <<<"$(kv "$u" targets)"); do
	[ "$t" -ge 16 ] 2>/dev/null || { test_fail "domU: targets '$(kv "$u" targets)', not all grown"; break; }
done
[ -n "$u" ] && [ "$(kv "$u" after_refused)" = "$(kv "$u" targets)" ] ||
	test_fail "domU: the targets moved on a refused report"
[ "$(kv "$u" refused_lines)" = 1 ] || test_fail "domU: $(kv "$u" refused_lines) warnings for one refused report, not 1"

# policy.d: each step's effective max_pages and mode and where they came from.
policy_from() {
	local j
	j=$(json "policy-$1")
	if ! jq -e .effective.from >/dev/null 2>&1 <<<"$j"; then
		test_fail "policy $1: no effective policy in '$j'"
		return
	fi
	local max from mode mfrom
	max=$(jq -r .effective.max_pages <<<"$j") from=$(jq -r .effective.from.max_pages <<<"$j")
	mode=$(jq -r .effective.mode <<<"$j") mfrom=$(jq -r .effective.from.mode <<<"$j")
	printf '  %-6s max_pages %s (from %s), mode %s (from %s)\n' "$1" "$max" "$from" "$mode" "$mfrom"
	[ "$max" = "$2" ] || test_fail "policy $1: max_pages $max, expected $2"
	[ "$from" = "$3" ] || test_fail "policy $1: max_pages from '$from', expected '$3'"
	[ "$mfrom" = "$4" ] || test_fail "policy $1: mode from '$mfrom', expected '$4'"
}
echo 'policy.d: the stand-in domain 7 (domu-stand-in, its UUID in /local/domain/7/vm):'
pd=/etc/iosup/policy.d
policy_from name 48 "$pd/10-by-name.conf:3" "built-in default"
policy_from uuid 32 "$pd/20-by-uuid.conf:4" "$pd/20-by-uuid.conf:3"
policy_from live 16 "xenstore /iosup/policy/7" "$pd/20-by-uuid.conf:3"
policy_from unset 32 "$pd/20-by-uuid.conf:4" "$pd/20-by-uuid.conf:3"
policy_from bad 32 "$pd/20-by-uuid.conf:4" "$pd/20-by-uuid.conf:3"
q=$(line POLICY)
printf '  a bad file: reload exit %s, the reply names its line %s time(s), the journal %s time(s)\n' \
	"$(kv "$q" bad_rc)" "$(kv "$q" reply_names_it)" "$(kv "$q" bad_said)"
[ "$(kv "$q" bad_rc)" = 1 ] || test_fail "policy: a reload with a bad file exited '$(kv "$q" bad_rc)', not 1"
[ "$(kv "$q" reply_names_it)" = 1 ] || test_fail "policy: the reload's reply does not name the bad file's line"
[ "$(kv "$q" bad_said)" = 1 ] || test_fail "policy: the journal said the bad file '$(kv "$q" bad_said)' times, not 1"

k=$(line KILL)
printf 'kill: limits at SIGKILL %s; the lowest L1 limit after %s; the new iosupd took the lease over %s time(s), %s s left\n' \
	"$(kv "$k" limits_at_kill)" "$(kv "$k" min_l1_after)" "$(kv "$k" took_over)" "$(kv "$k" lease_left)"
check_floor killed
check_floor restarted
[ "$(kv "$k" min_l1_after)" -gt 0 ] 2>/dev/null || test_fail "kill: the L1 limit fell to $(kv "$k" min_l1_after)"
[ "$(kv "$k" took_over)" -ge 1 ] 2>/dev/null || test_fail "kill: the new iosupd did not take the lease over"
[ "$(kv "$k" lease_left)" -gt 0 ] 2>/dev/null || test_fail "kill: no lease held after the restart"

p=$(line STOP)
printf 'stop: exit %s, limits %s after SIGTERM, debug violations %s\n' \
	"$(kv "$p" exit)" "$(kv "$p" limits)" "$(kv "$p" violations)"
[ "$(kv "$p" exit)" = 0 ] || test_fail "stop: iosupd exited $(kv "$p" exit)"
[ "$(kv "$p" limits)" = 0,0,0,0 ] || test_fail "stop: limits $(kv "$p" limits), not the defaults 0,0,0,0"
[ "$(kv "$p" handed_back)" -ge 1 ] 2>/dev/null || test_fail "stop: no 'handing the pools back' in the log"
[ "$(kv "$p" violations)" = 0 ] || test_fail "stop: the debug checks saw violations"

# The rig's emulated machine against this host, at computing and at system
# calls (iosup-spin): a CPU share measured in dom0 divided by each ratio
# bounds what it would be on this host's CPU. iosupd's time goes mostly to
# system calls and hypercalls, which emulation slows far more.
b=$({ grep -a 'IOSUP-BENCH ' "$console" || true; } | tail -n1 | cut -d' ' -f3-)
guest_spin=$({ grep -a 'IOSUP-SPIN ' "$console" || true; } | tail -n1 | cut -d' ' -f3-)
host_spin=$("$SRC_ROOT/build/rig/tests/iosup-spin")
if [ -n "$b" ] && [ -n "$guest_spin" ]; then
	awk -v s="$(kv "$b" seconds)" -v t="$(kv "$b" cpu_ticks)" -v hz="$(kv "$b" hz)" \
		-v rss="$(kv "$b" rss_kb)" -v hwm="$(kv "$b" hwm_kb)" \
		-v gc="$(kv "$guest_spin" compute_ns)" -v hc="$(kv "$host_spin" compute_ns)" \
		-v gs="$(kv "$guest_spin" syscall_ns)" -v hs="$(kv "$host_spin" syscall_ns)" 'BEGIN {
		cpu = 100 * t / hz / s
		compute = gc / hc
		sys = gs / hs
		hi = cpu / compute
		lo = cpu / sys
		printf "bench: iosupd over %d s of bursty churn (20 s of fork+exec a minute):\n", s
		printf "  CPU %.2f%% of dom0'"'"'s emulated CPU (%d ticks of 1/%d s)\n", cpu, t, hz
		printf "  the emulation is %.1fx slower than this host at computing, %.0fx at system calls:\n", compute, sys
		printf "  on this host'"'"'s CPU between %.3f%% (all system calls) and %.3f%% (all computing) (target < 0.5%%: %s)\n",
			lo, hi, hi < 0.5 ? "met" : lo < 0.5 ? "met unless iosupd mostly computes" : "NOT met"
		printf "  RSS %.1f MiB, peak %.1f MiB (target < 8 MiB: %s)\n",
			rss / 1024, hwm / 1024, hwm < 8192 ? "met" : "NOT met"
	}'
	cpu=$(awk -v s="$(kv "$b" seconds)" -v t="$(kv "$b" cpu_ticks)" -v hz="$(kv "$b" hz)" \
		'BEGIN { if (s > 0 && hz > 0 && t != "") printf "%.2f", 100 * t / hz / s; else print "-" }')
	lt "$cpu" "$BENCH_CPU_MAX" ||
		test_fail "bench: iosupd took $cpu% of dom0's emulated CPU, not under $BENCH_CPU_MAX%"
	lt "$(kv "$b" hwm_kb)" "$BENCH_HWM_MAX_KB" ||
		test_fail "bench: iosupd's peak RSS was $(kv "$b" hwm_kb) kB, not under $BENCH_HWM_MAX_KB kB"
else
	test_fail "bench: no IOSUP-BENCH or IOSUP-SPIN line"
fi
echo
test_finish
