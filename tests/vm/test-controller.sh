#!/usr/bin/env bash
# The pool controller judged in the rig: one boot (scenario controller) of
# the patched dom0 kernel (prod flavour unless named) under the patched
# hypervisor, with iosup.ko, iosupd and iosup-burst's bursty workloads.
# Checks, on QEMU's VT-d trace and Xen's counters:
#   bursts    iosupd started from limit 0, over each burst's phase (alive,
#             threads, wide): page-selective invalidations per process at
#             most MAX_PER_PROC; mmap (no process): per table a round
#             frees at most MAX_PER_TABLE. The same phases at the module's
#             fixed defaults, without iosupd, are printed beside them.
#   memory    iosupd's pools hold fewer pages than the module's defaults
#             left after the bursts, once the bursts are over (the
#             scenario's IDLE_SECONDS: iosupd(8) holds a burst's pages for
#             a while on purpose); right after the bursts is printed too
#   rate      with target_flush_rate=RATE, under steady churn that costs
#             over twice RATE type-change unmaps a second without a pool
#             (checked first: else the run proves nothing), Xen's
#             type-change unmaps a second (pt_unmaps: what the target
#             counts, iosupd(8); each is one page-selective invalidation,
#             while the maps back, pt_maps, cost none and are printed
#             beside them) settle within [RATE/2, RATE]: the mean and the
#             median of the periods after the first SETTLE_PERIODS (a
#             single period's rate is the churn's own noise), while the
#             pools hold fewer pages on
#             average (read ten times a second: the churn fills and empties
#             them every second) than a pool that refuses nothing held
#             under the same churn
#   pressure  stress-ng makes the module's shrinker take from the pools,
#             or iosupd cut them first for the low free memory (checked:
#             else the run proves nothing; which one is said, and how low
#             MemAvailable went); then, under
#             churn, until COOLDOWN s after that event (less a period), no
#             limit rises and the pools never hold more pages than they did
#             when the pressure came (read ten times a second: the churn's
#             exits put back into a pool what its forks took, within the
#             limits cut); nothing was OOM-killed
# and, as for every boot, no warning, BUG or lockdep splat (run.sh).
#
# The bounds are the targets the controller is written for, kept in
# variables (CTL_*) while it is tuned: the controller before its rewrite
# left 0.26-1.54 invalidations a process on such bursts and ignored the
# flush-rate target. A failed bound is said with its figures.
#
# usage: test-controller.sh [--flavour prod|debug] [--keep] [--check RUN_DIR]
#   --check  no boot: check the logs of an earlier run (its controller/ dir)
# Environment: CTL_MAX_PER_PROC, CTL_MAX_PER_TABLE, CTL_RATE,
# CTL_SETTLE_PERIODS, CTL_COOLDOWN override the bounds.
# Ends with "controller: PASS" (exit 0) or "controller: FAIL" (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The issue's target for bursts: half an invalidation a process, over a
# phase that starts with the pools iosupd left (what an empty pool pays
# once is under a quarter a process in these phases: controller.sh).
MAX_PER_PROC=${CTL_MAX_PER_PROC:-0.5}
# mmap's rounds create no process: a fork+exit cycles about 4.5 tables
# for its 9 invalidations, so half an invalidation a process is about a
# tenth of one a table.
MAX_PER_TABLE=${CTL_MAX_PER_TABLE:-0.1}
# The flush-rate target, type changes a second, and the periods (2 s)
# the controller may take to get there: a placeholder until the new
# controller states its own.
RATE=${CTL_RATE:-100}
SETTLE_PERIODS=${CTL_SETTLE_PERIODS:-10}
# The cool-down after a shrink during which the pools must not regrow: a
# placeholder until the new controller states its own.
COOLDOWN=${CTL_COOLDOWN:-30}
# What dom0's own processes (the sampling, the shell) may move the pools
# by during the cool-down without a limit growing.
# The least of the cool-down that must be left to watch after stress-ng.
MIN_WINDOW=10
# iosupd's default control period, seconds.
PERIOD=2

keep=0 check='' flavour=prod
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) flavour=$(flavour_arg "${2:-}"); shift ;;
	--keep) keep=1 ;;
	--check) check=$2; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
numbers "$MAX_PER_PROC" "$MAX_PER_TABLE" "$RATE" "$SETTLE_PERIODS" "$COOLDOWN" ||
	die "a CTL_* bound is not a number"
[[ $RATE =~ ^[1-9][0-9]*$ && $COOLDOWN =~ ^[1-9][0-9]*$ && $SETTLE_PERIODS =~ ^[0-9]+$ ]] ||
	die "CTL_RATE, CTL_COOLDOWN and CTL_SETTLE_PERIODS are whole numbers (RATE, COOLDOWN from 1)"
need_root

out=$(mktemp -d /tmp/iosup-controller.XXXXXX)
TEST_NAME=controller TEST_OUT=$out TEST_KEEP=$keep
run=$out/controller

if [ -n "$check" ]; then
	[ -f "$check/console.log" ] && [ -f "$check/results.tsv" ] ||
		die "--check: no console.log and results.tsv in '$check'"
	ln -s "$(realpath "$check")" "$run"
else
	build_pool "$out" "$flavour"
	phase patched-xen "$SRC_ROOT/kshim/xen/build.sh" >"$out/xen.inputs" ||
		{ test_fail "kshim/xen/build.sh failed"; test_finish; }
	# The patched kernel under the patched hypervisor: its XEN_* win.
	cat "$out/kernel.inputs" <(grep '^XEN_' "$out/xen.inputs") >"$out/controller.inputs"
	log "boot 'controller' ($flavour)"
	# norandmaps: every process the same tree (see test-pool.sh).
	if ! phase boot-controller "$RIG_DIR/run.sh" --inputs "$out/controller.inputs" \
		--dom0-args "norandmaps rig_ctl_rate=$RATE rig_ctl_cooldown=$COOLDOWN" \
		--deadline 900 --out "$run" \
		--extra-ko "$(cat "$out/module")" controller >/dev/null; then
		test_fail "the controller boot failed (see $run/console.log)"
		test_finish
	fi
fi
console=$run/console.log
awk 'NR == 1 { a = $1 } { b = $1 } END { printf "boot: %.0f s from Xen'"'"'s first line to the last\n", b - a }' "$console"

# lines TAG: the console's "TAG ..." lines, without the stamp.
lines() { { grep -a " $1 " "$console" || true; } | cut -d' ' -f3- | tr -d '\r'; }
# burst TAG: iosup-burst's result line for the phase TAG.
burst() { { grep -a " iosup-burst tag=$1 " "$console" || true; } | tail -n1 | cut -d' ' -f2-; }

# per_unit PHASE: "UNITS INVALIDATIONS PER" for a burst phase: processes,
# or for mmap tables (rounds times the tables of one); fails (said) when a
# figure is missing or the burst's own count disagrees with the mark's.
per_unit() {
	local phase=$1 b procs inv forks units
	b=$(burst "$phase")
	procs=$(tsv "$run" "$phase" procs) && inv=$(tsv "$run" "$phase" iotlb_pages) ||
		{ echo "no phase $phase in results.tsv" >&2; return 1; }
	forks=$(kv "$b" forks)
	numbers "$procs" "$inv" "$forks" || { echo "$phase: no figures (burst line '$b')" >&2; return 1; }
	[ "$forks" = "$procs" ] ||
		{ echo "$phase: the burst created $forks processes, its mark said $procs" >&2; return 1; }
	if [ "$(kv "$b" shape)" = mmap ]; then
		units=$(($(kv "$b" rounds) * $(kv "$b" tables)))
	else
		units=$procs
	fi
	[ "$units" -gt 0 ] || { echo "$phase: no processes or tables" >&2; return 1; }
	awk -v u="$units" -v n="$inv" 'BEGIN { printf "%d %d %.3f\n", u, n, n / u }'
}

row_pages() { kv "$(lines IOSUP-CTL-ROW | grep "row=$1 " | tail -n1)" pages; }
row_limits() { kv "$(lines IOSUP-CTL-ROW | grep "row=$1 " | tail -n1)" limits; }

echo
echo "bursts: page-selective invalidations (QEMU's count) per process (per table for mmap)"
printf '%-8s %-6s %17s %17s %8s\n' shape unit 'defaults' 'iosupd' bound
printf '%-8s %-6s %8s %8s %8s %8s\n' '' '' count per count per
for shape in alive threads mmap wide; do
	unit=proc bound=$MAX_PER_PROC
	[ $shape != mmap ] || unit=table bound=$MAX_PER_TABLE
	d=$(per_unit "def-$shape") || { test_fail "bursts: def-$shape: no figures"; d='- - -'; }
	c=$(per_unit "ctl-$shape") || { test_fail "bursts: ctl-$shape: no figures"; c='- - -'; }
	read -r _ dn dp <<<"$d"
	read -r cu cn cp <<<"$c"
	printf '%-8s %-6s %8s %8s %8s %8s %8s   (%s %ss each row)\n' "$shape" "$unit" "$dn" "$dp" "$cn" "$cp" "$bound" "$cu" "$unit"
	if is_num "$cp" && ! le "$cp" "$bound"; then
		test_fail "bursts: ctl-$shape: $cp invalidations per $unit with iosupd, above $bound"
	fi
done
dp=$(row_pages def) cp=$(row_pages ctl)
idle=$(lines IOSUP-CTL-IDLE | tail -n1)
ip=$(kv "$idle" pages)
printf 'pool pages after the bursts: defaults %s (limits %s), iosupd %s (limits %s), %s s later %s (limits %s)\n' \
	"${dp:--}" "$(row_limits def)" "${cp:--}" "$(row_limits ctl)" \
	"$(kv "$idle" seconds)" "${ip:--}" "$(kv "$idle" limits)"
lt "$ip" "$dp" ||
	test_fail "memory: iosupd's pools hold ${ip:-?} pages $(kv "$idle" seconds) s after the bursts, not fewer than the defaults' ${dp:-?}"

# rates TAG: one line per period of the churn TAG: "SECONDS UNMAPS MAPS
# MEAN MAX LIMITS": Xen's type-change unmaps and maps a second since the
# line before, the pools' mean and most pages over the period (read ten
# times a second) and their limits at its end.
rates() {
	lines IOSUP-CTL-RATE | grep "^tag=$1 " | tr ' ' '\n' |
		awk -F= '$1 == "tag" && n++ { emit() }
			{ v[$1] = $2 }
			END { if (n) emit() }
			function emit() {
				if (v["t"] !~ /^[0-9]+\.[0-9]+$/ || v["pt_unmaps"] !~ /^[0-9]+$/ ||
				    v["pt_maps"] !~ /^[0-9]+$/ || v["pages"] !~ /^[0-9]+$/ ||
				    v["pages_max"] !~ /^[0-9]+$/) {
					print "bad"; return
				}
				if (have && v["t"] > t0)
					printf "%.1f %.1f %.1f %d %d %s\n", v["t"] - start,
						(v["pt_unmaps"] - u0) / (v["t"] - t0), (v["pt_maps"] - m0) / (v["t"] - t0),
						v["pages"], v["pages_max"], v["limits"]
				if (!have) start = v["t"]
				have = 1; t0 = v["t"]; u0 = v["pt_unmaps"]; m0 = v["pt_maps"]
				delete v
			}'
}
# column N [FILE]: a column's median, mean and most ("- - -" if empty).
stats_of() {
	sort -n -k"$1" "${2:-/dev/stdin}" | awk -v c="$1" '{ v[NR] = $c; s += $c; if ($c > m) m = $c }
		END { if (!NR) { print "- - -"; exit }
			printf "%.1f %.1f %s\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, s / NR, m }'
}
echo
echo "rate: steady churn, Xen's type-change unmaps (pt_unmaps, one invalidation each) a second, each period of 2 s"
for tag in nopool unbounded target; do
	rates "$tag" >"$out/rate-$tag"
	if grep -q '^bad' "$out/rate-$tag" || [ ! -s "$out/rate-$tag" ]; then
		test_fail "rate: the $tag samples are missing or do not parse"
		sed -i '/^bad/d' "$out/rate-$tag"
	fi
	printf '  %-10s' "$tag:"
	awk '{ printf " %s", $2 } END { print "" }' "$out/rate-$tag"
done
echo "  the target run (s, unmaps/s, maps/s (no invalidation), pool pages mean and most, limits L1..L4):"
sed 's/^/    /' "$out/rate-target"
# Without a pool: the median period (the last is cut short by the churn's end).
read -r nopool _ _ <<<"$(stats_of 2 "$out/rate-nopool")"
read -r _ unb_rate _ <<<"$(stats_of 2 "$out/rate-unbounded")"
read -r _ unb_mean _ <<<"$(stats_of 4 "$out/rate-unbounded")"
read -r _ _ peak <<<"$(stats_of 5 "$out/rate-unbounded")"
printf '  without a pool %s unmaps/s (median); a pool that refuses nothing: %s unmaps/s, %s pages on average, %s at the most\n' \
	"$nopool" "$unb_rate" "$unb_mean" "$peak"
ge "$nopool" $((2 * RATE)) ||
	test_fail "rate: the churn costs $nopool unmaps/s without a pool, not over twice the target $RATE: it proves nothing"
awk -v s="$SETTLE_PERIODS" 'NR > s' "$out/rate-target" >"$out/rate-settled"
if [ ! -s "$out/rate-settled" ]; then
	test_fail "rate: no period of the target run after the $SETTLE_PERIODS allowed to settle"
else
	out_of_band=$(awk -v r="$RATE" '$2 < r / 2 || $2 > r { n++ } END { print n + 0 }' "$out/rate-settled")
	read -r _ mean _ <<<"$(stats_of 2 "$out/rate-settled")"
	read -r _ tmean _ <<<"$(stats_of 4 "$out/rate-settled")"
	read -r _ _ most <<<"$(stats_of 5 "$out/rate-settled")"
	printf '  target %s/s: after %s periods, %s of %s periods outside [%s, %s] (mean %s/s); pools %s pages on average, %s at the most (unbounded: %s, %s)\n' \
		"$RATE" "$SETTLE_PERIODS" "$out_of_band" "$(grep -c . "$out/rate-settled")" \
		"$((RATE / 2))" "$RATE" "$mean" "$tmean" "$most" "$unb_mean" "$peak"
	# Settled: the mean and the median of the periods after the first
	# SETTLE_PERIODS in the band. Single periods are not judged: the
	# churn's own rate varies by half from one 2 s period to the next
	# under emulation (25-112 unmaps/s at a limit that did not move).
	read -r median _ <<<"$(awk '{ print $2 }' "$out/rate-settled" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else print "-" }')"
	echo "  settled: mean $mean/s, median $median/s"
	numbers "$mean" "$median" && within_band=1 || within_band=0
	if [ $within_band = 1 ]; then
		awk -v m="$mean" -v d="$median" -v r="$RATE" 'BEGIN { exit !(m >= r / 2 && m <= r && d >= r / 2 && d <= r) }' ||
			within_band=0
	fi
	[ $within_band = 1 ] ||
		test_fail "rate: after the first $SETTLE_PERIODS periods, mean $mean/s and median $median/s not both in [$((RATE / 2)), $RATE]"
	lt "$tmean" "$unb_mean" ||
		test_fail "rate: the pools held $tmean pages on average at the target, not fewer than the unbounded pool's $unb_mean"
fi

echo
p=$(lines IOSUP-CTL-PRESSURE | tail -n1)
if [ -z "$p" ]; then
	test_fail "pressure: no IOSUP-CTL-PRESSURE line"
else
	printf 'pressure: pools %s pages (limits %s) before stress-ng; asked for %s quarter(s) of them beyond free memory, the shrinker took %s tables (%s events)\n' \
		"$(kv "$p" held)" "$(kv "$p" held_limits)" "$(kv "$p" quarters)" "$(kv "$p" shrunk)" "$(kv "$p" events)"
	printf '  iosupd cut limits for pressure %s time(s) (its log)\n' "$(kv "$p" iosupd_pressure_cuts)"
	# What iosupd's floor of free memory saw: MemAvailable at its lowest
	# while stress-ng ran (the floor is a quarter of MemTotal, controller.sh).
	lines IOSUP-CTL-MEM | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["stress"] ~ /^[0-9]+$/ && v["avail"] ~ /^[0-9]+$/ && (low == "" || v["avail"] + 0 < low + 0)) {
			low = v["avail"]; total = v["total"] }
		} END { if (low == "") print "  MemAvailable under stress-ng: no reading"
			else printf "  MemAvailable under stress-ng: %d MiB at its lowest, %.0f%% of MemTotal\n", low / 1024, 100 * low / total }'
	lines IOSUP-CTL-COOL >"$out/cool.all"
	# Judged: the seconds up to a period short of the cool-down's end (the
	# event is seen here up to a second after iosupd acted on it, and
	# iosupd acts once a period).
	awk -v f="$(kv "$p" first)" -v w="$((COOLDOWN - PERIOD))" '{
			for (i = 1; i <= NF; i++) if ($i ~ /^t=/) t = substr($i, 3)
			if (f ~ /^[0-9.]+$/ && t - f <= w) print }' "$out/cool.all" >"$out/cool"
	done_t=$(lines controller: | sed -n 's/^stress-ng done at //p' | tail -n1)
	ev=$(lines IOSUP-CTL-SHRINK | tail -n1)
	if [ -z "$ev" ] || [ ! -s "$out/cool" ]; then
		test_fail "pressure: neither did the shrinker take anything nor did iosupd cut a limit for pressure: the run proves nothing"
	else
		if [ "$(kv "$ev" shrunk)" = 0 ]; then
			echo "  the first event: iosupd cut $(kv "$ev" iosupd_cuts) limit(s) for the low free memory before the shrinker ran"
		else
			echo "  the first event: the shrinker took $(kv "$ev" shrunk) tables (iosupd's cuts by then: $(kv "$ev" iosupd_cuts))"
		fi
		[ "$(kv "$p" shrunk)" != 0 ] ||
			echo "  the shrinker never ran: iosupd's cuts left reclaim nothing to ask of the pools"
		echo "  from that event (s, pages least and most in that second, limits; judged up to $((COOLDOWN - PERIOD)) s):"
		awk -v f="$(kv "$p" first)" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "    %5.1f %5s %5s %s\n", v["t"] - f, v["min"], v["max"], v["limits"] }' "$out/cool.all"
		# What the pools held in the second of the event, and the most
		# they held in any later second of the cool-down.
		read -r low high <<<"$(tr ' ' '\n' <"$out/cool" | awk -F= '
			$1 == "max" { if (at == "") at = $2; else if (high == "" || $2 + 0 > high + 0) high = $2 }
			END { print (at == "" ? "-" : at), (high == "" ? "-" : high) }')"
		window=$(awk -v d="$done_t" -v e="$(kv "$p" cool_end)" \
			'BEGIN { if (d ~ /^[0-9.]+$/ && e ~ /^[0-9]+$/) printf "%d", e - d; else print "-" }')
		printf '  cool-down %s s from the event, %s s of it under churn after stress-ng: pools %s pages at the event, at most %s after it\n' \
			"$COOLDOWN" "$window" "$low" "$high"
		ge "$window" "$MIN_WINDOW" ||
			test_fail "pressure: only $window s of the cool-down left under churn after stress-ng, under $MIN_WINDOW"
		numbers "$low" "$high" && le "$high" "$low" ||
			test_fail "pressure: the pools regrew within the cool-down: $high pages, above the $low they held when the pressure came"
		# And no level's limit rose from one second to the next.
		grew=$(tr ' ' '\n' <"$out/cool" | awk -F= '$1 == "limits" {
				n = split($2, l, ",")
				if (n != 4) { bad++; next }
				for (i = 1; i <= 4; i++) {
					if (l[i] !~ /^[0-9]+$/) bad++
					else if (seen && l[i] + 0 > was[i] + 0) printf "L%d %s->%s ", i, was[i], l[i]
					was[i] = l[i]
				}
				seen = 1
			}
			END { if (bad || !seen) print "unreadable" }')
		[ -z "$grew" ] || test_fail "pressure: limits grew within the cool-down: $grew"
		echo "  limits grown within the cool-down: ${grew:-none}"
	fi
fi
oom=$(grep -acE 'invoked oom-killer|Out of memory|oom-kill:' "$console" || true)
echo "  OOM kills: $oom"
[ "$oom" = 0 ] || test_fail "pressure: the OOM killer ran ($oom lines)"
echo
test_finish
