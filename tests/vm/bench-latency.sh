#!/usr/bin/env bash
# Fork latencies under QEMU TCG, told honestly: TCG's speed moves with the
# host's load by tens of percent from one boot to the next, so one boot per
# configuration cannot even give the sign of a difference. This boots the
# iosup kernel (prod flavour) without the pool and with iosup.ko at its
# defaults, alternating, ROUNDS times each, runs the fork+exit, fork+execve
# and fork+/bin/sh -c storms in every boot, and prints per configuration
# the median of the boots' mean latencies with their spread (min-max), and
# the ratio of the medians. The times are TCG's, not a real host's: the
# cost account (test-account.sh) is what models a real host; this says
# only which way the emulated difference goes. Not part of ./scripts/test.
#
# usage: bench-latency.sh [--rounds N] [--procs N]   (defaults: 5, 200)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=5 procs=200
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift ;;
	--procs) procs=$2; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]?$ ]] || die "--rounds: '$rounds' is not a count"
[[ $procs =~ ^[1-9][0-9]{0,5}$ ]] || die "--procs: '$procs' is not a count"
need_root

out=$(mktemp -d /tmp/iosup-bench-latency.XXXXXX)
phase kernel "$SRC_ROOT/kshim/linux/build.sh" --flavour prod >"$out/kernel.inputs"
phase module "$SRC_ROOT/kshim/linux/build-module.sh" --flavour prod >"$out/module"
ko=$(cat "$out/module")
storms=(forkexit forkexec forksh)

# One line per boot and storm: CONFIG ROUND STORM MEAN_US.
samples=$out/samples
: >"$samples"
for ((i = 1; i <= rounds; i++)); do
	for config in nopool pool; do
		args=()
		[ "$config" = nopool ] || args=(--extra-ko "$ko" pool-load)
		phase "boot-$config-$i" "$RIG_DIR/run.sh" --inputs "$out/kernel.inputs" \
			--procs "$procs" --dom0-args norandmaps --out "$out/$config-$i" \
			"${args[@]}" "${storms[@]}" >/dev/null ||
			die "the $config boot of round $i failed (see $out/$config-$i/console.log)"
		for s in "${storms[@]}"; do
			mean=$(tsv "$out/$config-$i" "$s" mean_us) && is_num "$mean" ||
				die "no mean latency for $s in $out/$config-$i/results.tsv"
			echo "$config $i $s $mean" >>"$samples"
		done
	done
done

printf '\nfork latencies under QEMU TCG, %d boots per configuration alternating, %d processes a storm\n' \
	"$rounds" "$procs"
printf '%-10s %-8s %12s %22s\n' storm config 'median us' 'min-max us'
for s in "${storms[@]}"; do
	for config in nopool pool; do
		awk -v c="$config" -v s="$s" '$1 == c && $3 == s { print $4 }' "$samples" | sort -n |
			awk -v c="$config" -v s="$s" '{ v[NR] = $1 }
				END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
					printf "%-10s %-8s %12.1f %10.1f - %9.1f\n", s, c, m, v[1], v[NR] }'
	done
done | tee "$out/table"
printf '\npool/nopool, ratio of the medians (below 1: the pool is faster under TCG)\n'
awk '{ med[$1 " " $2] = $3 } END {
	n = split("forkexit forkexec forksh", s, " ")
	for (i = 1; i <= n; i++) printf "%-10s %6.3f\n", s[i], med[s[i] " pool"] / med[s[i] " nopool"]
}' "$out/table"
echo "samples: $samples"
