#!/usr/bin/env bash
# The page-table pool (kshim/linux: the patched dom0 kernel and iosup.ko) in
# the rig. Builds what it needs (kshim/linux/build.sh, build-module.sh) for
# the kernel flavour named (--flavour debug, the default, with lockdep and
# the VM's assertions; prod, the same kernel without them) and boots:
#   pool   the patched kernel: storms before the module is loaded, with it
#          loaded and warm, and after rmmod (pool-forkexit)
#   life   the patched kernel: the netlink family's reads, writes and
#          refusals (pool-netlink), loads and unloads against the module's
#          own controls (pool-exit), debug mode switched with the pools
#          warm (pool-debug), memory pressure, a lease and an unload
#          (pool-life); with the debug flavour also the pool switched on
#          and off in the middle of a storm (pool-dynamic) and exec
#          pipelines beside a fork storm (pool-smp)
#   stock  (debug flavour) Debian's build of the same kernel source:
#          forkexit, forkexec
# Storms and the rest run in boots of their own, so that no boot runs more
# than its deadline covers on a busy host.
# and checks, on QEMU's VT-d trace and the module's stats:
#   rates    pool on and warm: page-selective invalidations per process at
#            most 0.05 per fork+exit and 0.1 per fork+exec (every level,
#            the pgd pair included, comes from the pools)
#   stock    (debug) patched kernel without the module, and after rmmod: the same
#            per-process counts as the same kernel source built without the
#            series, within 2% (the counts repeat to hundredths)
#   hits     the pool's hits over a storm account for the invalidations it
#            saved, within 10%
#   dynamic  (debug) the invalidation rate falls below a third once the pool is
#            switched on mid-storm, and comes back once it is switched off
#   netlink  the pool-netlink scenario passed (it asserts each refusal)
#   exit     pool-exit: stats read across loads and unloads with no
#            warning (and, on the debug flavour, no lock report); a parameter write in flight at rmmod still tells
#            the events group
#   debug    pool-debug: debug mode switched on, off and on with
#            pages pooled, each followed by hand-outs: no violation
#   smp      (debug) pool-smp: exec pipelines on one vCPU beside a fork storm on
#            the other, with drains, crash- and violation-free
#   pressure pool-life: stress-ng in dom0 makes the shrinker empty the pools
#            (below half), with the event on the multicast group; a lease
#            runs out to the defaults (asserted in dom0)
#   pagetables pool-life: /proc/meminfo's PageTables rises by what the
#            pools hold as they fill, and falls by it at rmmod, within a
#            tenth and 256 kB (a pooled table is still a page table)
#   inuse    pool-life: the kernel's tables in use, per level, back within
#            two after 300 processes lived and after 100 slept; 100
#            sleepers add at least 100 at every level and no more than one
#            sleeper holds times 100 (4, 3, 3, 1), and PageTables moves by
#            their L1 and L2 tables and the pools' pages, within 50 pages
#   unload   pool-life: after rmmod, dom0's free memory is back to what it
#            was before insmod within MEM_SLACK_KB, its memory free or owned
#            by the kernel's caches within UNPOOLED_SLACK_KB, and Xen's free
#            memory is unchanged; the debug checks saw no violation
#   bench    fork+exit, fork+execve, fork+/bin/sh -c latency with and
#            without the pool in one boot (printed, not asserted)
# Every boot also fails on any kernel warning, BUG or lockdep splat (run.sh).
#
# usage: test-pool.sh [--flavour debug|prod] [--procs N] [--keep]
# Ends with "pool: PASS" (exit 0) or "pool: FAIL" (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Processes a storm: 500 on the debug flavour, 1000 on prod. The storms
# are half the test's time, and the debug flavour's rates were the same at
# 500 as at 1000 (0.00 and 0.01 a fork+exit and a fork+exec, stock's 9.01
# and 18.01). The prod flavour's pool storms saw 10 to 15 invalidations
# that were not the pool's in every run (0.01 at 1000, 0.03 at 500): at
# 500 that is already more than half the fork+exit bound.
procs=${PROCS:-} keep=0 flavour=debug
# The issue's targets: a warm pool leaves next to nothing flushing.
POOL_BOUND_FORKEXIT=0.05
POOL_BOUND_FORKEXEC=0.1
# dom0's memory after rmmod vs before insmod. Free memory moves by up to a
# hundred pages with what the kernel's caches keep after a storm; free plus
# those caches (mem_reading in guest.sh) moved by at most 10 pages in the
# runs that tuned this, so 32 pages is a leak of about 1% of what the pools
# held (2,678 pages).
MEM_SLACK_KB=512
UNPOOLED_SLACK_KB=128
STOCK_TOLERANCE=0.02
HITS_TOLERANCE=0.10
while [ $# -gt 0 ]; do
	case $1 in
	--procs) procs=$2; shift ;;
	--flavour) flavour=$(flavour_arg "${2:-}"); shift ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[ -n "$procs" ] || { [ "$flavour" = prod ] && procs=1000 || procs=500; }
[[ $procs =~ ^[1-9][0-9]{0,5}$ ]] || die "--procs: '$procs' is not a count"
need_root

out=$(mktemp -d /tmp/iosup-pool.XXXXXX)
TEST_NAME="pool-$flavour" TEST_OUT=$out TEST_KEEP=$keep

build_pool "$out" "$flavour"
phase stock-inputs "$RIG_DIR/stock-inputs.sh" >"$out/stock.inputs" ||
	{ test_fail "stock-inputs.sh failed"; test_finish; }

# boot NAME INPUTS ARGS...: one rig run into $out/NAME.
#
# norandmaps: how many page tables a process needs depends on where its
# stack and mappings land; with randomized layouts a storm whose parent's
# stack straddles a 2 MiB boundary costs 10 invalidations per fork+exit
# instead of 9. The checks compare storms run by different processes and
# different boots, so every process gets the same layout (then fork+exec
# costs 18, not the 20 of randomized layouts).
boot() {
	local name=$1 inputs=$2
	shift 2
	log "boot '$name': $*"
	if ! "$RIG_DIR/run.sh" --inputs "$inputs" --procs "$procs" \
		--dom0-args norandmaps --out "$out/$name" "$@" >/dev/null; then
		test_fail "the '$name' boot failed (see $out/$name/console.log)"
		return 1
	fi
}


check_rates() {
	local p want rate
	printf '\nrates: page-selective invalidations per process, %d processes per storm\n' "$procs"
	printf '%-18s %10s %10s %10s\n' phase no-pool pool bound
	for p in forkexit:$POOL_BOUND_FORKEXIT forkexec:$POOL_BOUND_FORKEXEC; do
		want=${p#*:}
		p=${p%%:*}
		rate=$(tsv "$out/pool" "pool-$p" pages_per_proc) ||
			{ test_fail "rates: no pool-$p phase"; continue; }
		printf '%-18s %10s %10s %10s\n' "$p" \
			"$(tsv "$out/pool" "nopool-$p" pages_per_proc || echo -)" "$rate" "$want"
		le "$rate" "$want" ||
			test_fail "rates: $p: $rate invalidations per process with the pool, more than $want"
	done
}

check_stock() {
	local p ours theirs
	printf '\nstock: per process, patched kernel without the module vs Debian kernel\n'
	printf '%-18s %10s %10s\n' phase patched debian
	for p in nopool-forkexit:forkexit nopool-forkexec:forkexec unloaded-forkexit:forkexit; do
		ours=$(tsv "$out/pool" "${p%%:*}" pages_per_proc) ||
			{ test_fail "stock: no ${p%%:*} phase"; continue; }
		theirs=$(tsv "$out/stock" "${p#*:}" pages_per_proc) ||
			{ test_fail "stock: no ${p#*:} phase in the stock run"; continue; }
		printf '%-18s %10s %10s\n' "${p%%:*}" "$ours" "$theirs"
		within "$ours" "$theirs" "$STOCK_TOLERANCE" ||
			test_fail "stock: ${p%%:*}: $ours per process, Debian's kernel $theirs"
	done
}

# hits_sum DIR TAG: the hits of every level in the stats line the
# pool-forkexit scenario printed after storm TAG, each weighted by the
# invalidations it saves: one per page that would have changed type, so
# one for a table and two for a pgd pair (the pgd and the user pgd).
hits_sum() {
	grep -a "IOSUP-STATS $2 " "$1/console.log" | tail -n1 |
		tr ' \r' '\n\n' | awk -F= '$1 ~ /^hits_l[0-9]$/ { n += $2 * ($1 == "hits_l4" ? 2 : 1); ok = 1 }
			END { if (!ok) exit 1; print n }'
}

check_hits() {
	local p before after hits saved
	printf '\nhits: pool hits vs invalidations saved, per process\n'
	printf '%-18s %10s %10s\n' phase hits saved
	for p in forkexit forkexec; do
		before=$(hits_sum "$out/pool" "before-$p") && after=$(hits_sum "$out/pool" "after-$p") ||
			{ test_fail "hits: no stats around the pool-$p storm"; continue; }
		hits=$(awk -v a="$before" -v b="$after" -v n="$procs" 'BEGIN { printf "%.2f", (b - a) / n }')
		saved=$(awk -v a="$(tsv "$out/pool" "nopool-$p" pages_per_proc)" \
			-v b="$(tsv "$out/pool" "pool-$p" pages_per_proc)" 'BEGIN { printf "%.2f", a - b }')
		printf '%-18s %10s %10s\n' "$p" "$hits" "$saved"
		within "$hits" "$saved" "$HITS_TOLERANCE" ||
			test_fail "hits: $p: $hits hits per process for $saved invalidations saved"
	done
}

check_dynamic() {
	local off on again
	off=$(tsv "$out/life" dyn-off iotlb_pages) && on=$(tsv "$out/life" dyn-on iotlb_pages) &&
		again=$(tsv "$out/life" dyn-off-again iotlb_pages) ||
		{ test_fail "dynamic: a window is missing"; return; }
	printf '\ndynamic: invalidations per %s-second window of a fork+exit storm\n' "$(tsv "$out/life" dyn-on seconds)"
	printf '  off %s, pool switched on %s, off again %s\n' "$off" "$on" "$again"
	[ "$on" -lt $((off / 3)) ] ||
		test_fail "dynamic: $on invalidations with the pool on, not below a third of $off"
	[ "$again" -gt $((on * 3)) ] ||
		test_fail "dynamic: $again invalidations once off again, not back above three times $on"
}

check_bench() {
	local p
	printf '\nbench: latency in dom0 under QEMU TCG, ms (one boot; no pool, then the pool warm)\n'
	printf '%-10s %10s %10s %8s %10s %10s\n' phase no-pool pool change p99-no p99-pool
	for p in forkexit forkexec forksh; do
		local a b
		a=$(tsv "$out/pool" "nopool-$p" mean_us) && b=$(tsv "$out/pool" "pool-$p" mean_us) || continue
		printf '%-10s %10.2f %10.2f %7.1f%% %10.2f %10.2f\n' "$p" \
			"$(awk -v x="$a" 'BEGIN { print x / 1000 }')" \
			"$(awk -v x="$b" 'BEGIN { print x / 1000 }')" \
			"$(awk -v x="$a" -v y="$b" 'BEGIN { print (y - x) * 100 / x }')" \
			"$(awk -v x="$(tsv "$out/pool" "nopool-$p" p99_us)" 'BEGIN { print x / 1000 }')" \
			"$(awk -v x="$(tsv "$out/pool" "pool-$p" p99_us)" 'BEGIN { print x / 1000 }')"
	done
	check_cost
}

# cost_delta TAG_BEFORE TAG_AFTER KIND LEVEL: "tables ns" over a window.
cost_delta() {
	local c=$out/pool/console.log
	awk -v a="IOSUP-COST $1 " -v b="IOSUP-COST $2 " -v key="$3_$4" '
		function get(line,   n, i, f) {
			n = split(line, f, " ")
			for (i = 1; i <= n; i++)
				if (index(f[i], key "=") == 1) {
					split(substr(f[i], length(key) + 2), v, "/")
					return 1
				}
			return 0
		}
		index($0, a) { la = $0 } index($0, b) { lb = $0 }
		END {
			if (!get(la)) exit 1
			t0 = v[1]; n0 = v[2]
			if (!get(lb)) exit 1
			print v[1] - t0, v[2] - n0
		}' "$c"
}

# The kernel's time per table to make a page a table and back (debugfs
# xen/pt_cost): the pool's hand-out and intake against the pin and unpin
# they replace, the latter measured with the module unloaded.
check_cost() {
	local l name pin unpin get put
	printf '
cost per table, microseconds (kernel time; the page allocator not included)
'
	printf '%-6s %12s %12s %8s %12s %12s %8s
' level alloc:stock alloc:pool change 		free:stock free:pool change
	for l in 1 2 3 4; do
		name=$(echo "- PTE PMD PUD PGD" | cut -d' ' -f$((l + 1)))
		pin=$(cost_delta stock-before stock-after pin "$l") &&
			unpin=$(cost_delta stock-before stock-after unpin "$l") &&
			get=$(cost_delta pool-before pool-after pool_get "$l") &&
			put=$(cost_delta pool-before pool-after pool_put "$l") ||
			{ test_fail "cost: no cost counters for level $l"; return; }
		awk -v name="L$l $name" -v pin="$pin" -v unpin="$unpin" -v get="$get" -v put="$put" '
			function per(s,   f) { split(s, f, " "); return f[1] ? f[2] / f[1] / 1000 : -1 }
			function chg(a, b) { return a > 0 && b >= 0 ? sprintf("%+.0f%%", (b - a) * 100 / a) : "-" }
			BEGIN {
				a = per(pin); b = per(get); c = per(unpin); d = per(put)
				printf "%-6s %12.2f %12.2f %8s %12.2f %12.2f %8s\n", name, a, b, chg(a, b), c, d, chg(c, d)
			}'
		[ "${get%% *}" -gt 0 ] || test_fail "cost: the pool handed out no L$l table"
		[ "${pin%% *}" -gt 0 ] || test_fail "cost: no L$l table was pinned without the pool"
	done
}

check_life() {
	local line
	line=$(grep -a 'IOSUP-PRESSURE ' "$out/life/console.log" | tail -n1) ||
		{ test_fail "pressure: no IOSUP-PRESSURE line"; return; }
	printf '\npressure: stress-ng in dom0: pools %s -> %s pages, %s tables to the shrinker, %s events\n' \
		"$(kv "$line" pool_before)" "$(kv "$line" pool_after)" "$(kv "$line" shrunk)" "$(kv "$line" events)"
	printf 'lease: %s\n' "$(grep -a 'pool-life: lease' "$out/life/console.log" | tail -n1 | cut -d' ' -f3-)"
	for when in filled unloaded; do
		line=$(grep -a "IOSUP-PAGETABLES $when " "$out/life/console.log" | tail -n1) ||
			{ test_fail "pagetables: no IOSUP-PAGETABLES $when line"; continue; }
		printf 'page tables, %s: the pools held %s kB, PageTables moved by %s kB\n' "$when" \
			"$(kv "$line" pooled_kb)" "$(kv "$line" delta_kb)"
	done
	printf 'tables in use (pool-life asserts them):\n'
	grep -ao 'IOSUP-INUSE .*' "$out/life/console.log" | sed 's/^IOSUP-INUSE /  /'
	[ "$(grep -ac 'IOSUP-INUSE ' "$out/life/console.log")" -eq 4 ] ||
		test_fail "inuse: pool-life printed not 4 IOSUP-INUSE lines"
	printf 'unload:\n'
	mem_check "$out/life" $MEM_SLACK_KB $UNPOOLED_SLACK_KB
}

ko=$(cat "$out/module")
boot pool "$out/kernel.inputs" --extra-ko "$ko" pool-forkexit || true
if [ "$flavour" = debug ]; then
	boot life "$out/kernel.inputs" --extra-ko "$ko" \
		pool-netlink pool-dynamic pool-smp pool-exit pool-debug pool-life || true
	boot stock "$out/stock.inputs" forkexit forkexec || true
else
	boot life "$out/kernel.inputs" --extra-ko "$ko" \
		pool-netlink pool-exit pool-debug pool-life || true
fi

if [ $failed -eq 0 ]; then
	check_rates
	check_hits
	check_life
	printf '\nnetlink: every refusal asserted in dom0 (pool-netlink passed)\n'
	printf 'exit, debug: pool-exit and pool-debug passed in dom0\n'
	if [ "$flavour" = debug ]; then
		check_stock
		check_dynamic
		printf 'smp: %s; no crash, warning or violation\n' \
			"$(grep -a 'pool-smp: .* pipelines' "$out/life/console.log" | tail -n1 | cut -d' ' -f3-)"
	fi
	check_bench
fi
echo
test_finish
