#!/usr/bin/env bash
# A soak of the page-table pool in the rig: SOAK_PROCS fork+execs in dom0,
# each process built with SOAK_SPREAD more PTE tables (its parent touched
# pages 2 MiB apart), with the pools limited to a few tables a level, so
# that the hand-out and the kernel's fallback both run all along, in debug
# mode (scenario pool-soak), on the kernel flavour named (--flavour).
# Two tiers:
#   CI    the defaults: 10,000 processes, about 110,000 tables through the
#         pools; sized to at most 15 minutes beside another rig
#   long  SOAK_PROCS=100000 (or more; about 1.1 million tables) and its own
#         deadline, outside CI:
#         SOAK_PROCS=100000 tests/vm/test-soak.sh
# Boots the patched kernel once and checks:
#   paths    tables came from the pools (hits) and went to the fallback
#            (refused), and the debug checks saw no violation
#   trace    QEMU's page-selective invalidations per process while the
#            soak ran are fewer than in the same streams before insmod,
#            and the difference is what the pools' hits saved, within
#            HITS_TOLERANCE
#   splats   no warning, BUG, lockdep or RCU splat on the console (run.sh)
#   leak     after rmmod, dom0's free memory is back to what it was before
#            insmod within MEM_SLACK_KB, its memory free or owned by the
#            kernel's caches within UNPOOLED_SLACK_KB, and Xen's free
#            memory unchanged
#
# usage: test-soak.sh [--flavour debug|prod] [--procs N] [--keep]
# Ends with "soak: PASS" (exit 0) or "soak: FAIL" (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

procs=${SOAK_PROCS:-10000} spread=${SOAK_SPREAD:-32} keep=0 flavour=debug
# What the soak's unload moved in the runs that set these (CI tier, 10,000
# processes, both flavours, beside other rigs): free memory -124 to +108
# kB, free-or-owned-elsewhere -24 to +36 kB. The bounds are the largest
# shortfall seen, doubled and rounded up, and as in test-pool.sh 32 pages
# for the second (about 1% of what a warm pool holds).
MEM_SLACK_KB=256
UNPOOLED_SLACK_KB=128
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
[[ $procs =~ ^[1-9][0-9]{1,6}$ ]] || die "--procs: '$procs' is not a count of at least 20"
[[ $spread =~ ^[0-9]{1,4}$ ]] && [ "$spread" -le 4096 ] ||
	die "SOAK_SPREAD: '$spread' is not a count of tables from 0 to 4096"
need_root

out=$(mktemp -d /tmp/iosup-soak.XXXXXX)
TEST_NAME="soak-$flavour" TEST_OUT=$out TEST_KEEP=$keep

build_pool "$out" "$flavour"

log "boot 'soak': $procs fork+execs, $spread more tables each, $flavour kernel"
# The deadline is a cap (run.sh fails a silent scenario much sooner): 300
# ms a process, ten times the 30-60 ms seen beside another rig.
if ! "$RIG_DIR/run.sh" --inputs "$out/kernel.inputs" --procs "$procs" \
	--dom0-args "rig_soak_spread=$spread" \
	--deadline $((procs * 300 / 1000 + 600)) --out "$out/soak" \
	--extra-ko "$(cat "$out/module")" pool-soak >/dev/null; then
	test_fail "the soak boot failed (see $out/soak/console.log)"
	test_finish
fi

console=$out/soak/console.log
soak=$(grep -a 'IOSUP-SOAK ' "$console" | tail -n1) || { test_fail "no IOSUP-SOAK line"; test_finish; }
n=$(kv "$soak" procs) secs=$(kv "$soak" seconds)
printf '\nsoak (%s kernel): %s fork+execs in %s s (%s ms each), %s more PTE tables each, pools of 6/3/2/1 tables, debug checks on\n' \
	"$flavour" "$n" "$secs" "$(awk -v s="$secs" -v n="$n" 'BEGIN { printf "%.1f", s * 1000 / n }')" "$(kv "$soak" spread)"
printf '  tables through the pools: %s in, %s out (hits); misses %s, refused to the fallback %s, violations %s\n' \
	"$(kv "$soak" taken)" "$(kv "$soak" hits)" "$(kv "$soak" misses)" "$(kv "$soak" refused)" "$(kv "$soak" violations)"
numbers "$n" "$secs" "$(kv "$soak" hits)" "$(kv "$soak" refused)" "$(kv "$soak" taken)" ||
	{ test_fail "the IOSUP-SOAK line lacks a figure: $soak"; test_finish; }
# Two streams of equal rounds, rounded up: one fewer than asked at most.
[ "$n" -ge $((procs - 1)) ] || test_fail "only $n of $procs processes ran"
[ "$(kv "$soak" hits)" -gt 0 ] || test_fail "no table came from the pools"
[ "$(kv "$soak" refused)" -gt 0 ] || test_fail "the fallback never ran"
[ "$(kv "$soak" violations)" = 0 ] || test_fail "the debug checks saw violations"
nopool=$(tsv "$out/soak" soak-nopool pages_per_proc || echo -)
rate=$(tsv "$out/soak" soak pages_per_proc || echo -)
hits=$(awk -v s="$(kv "$soak" saved)" -v n="$n" 'BEGIN { if (n > 0 && s != "") printf "%.2f", s / n; else print "-" }')
saved=$(awk -v a="$nopool" -v b="$rate" 'BEGIN { printf "%.2f", a - b }')
printf '  invalidations per process: %s before insmod, %s in the soak; saved %s, pool hits %s a process\n' \
	"$nopool" "$rate" "$saved" "$hits"
lt "$rate" "$nopool" || test_fail "trace: $rate invalidations a process in the soak, not fewer than $nopool without the pool"
within "$hits" "$saved" "$HITS_TOLERANCE" ||
	test_fail "trace: the pools' hits ($hits a process) do not account for the $saved invalidations a process saved"
mem_check "$out/soak" $MEM_SLACK_KB $UNPOOLED_SLACK_KB
echo
test_finish
