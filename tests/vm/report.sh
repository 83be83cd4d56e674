#!/usr/bin/env bash
# Prints rig results side by side for people.
# usage: report.sh LABEL=RUN_DIR...   (each RUN_DIR holds a results.tsv)
set -euo pipefail

declare -A names=(
	[forkexit]="fork+exit" [forkexec]="fork+execve" [forksh]="fork+/bin/sh -c"
)

printf '%-18s %-10s %8s %11s %11s %10s %10s %10s\n' workload config procs \
	'inval/proc' 'dom-inval' 'wait-desc' 'mean ms' 'p99 ms'
for phase in forkexit forkexec forksh; do
	for arg in "$@"; do
		label=${arg%%=*} dir=${arg#*=}
		awk -F'\t' -v p="$phase" -v name="${names[$phase]}" -v label="$label" '
			NR > 1 && $1 == p {
				printf "%-18s %-10s %8d %11s %11d %10d %10.2f %10.2f\n",
					name, label, $2, $5, $6, $8, $11 / 1000, $12 / 1000
			}' "$dir/results.tsv"
	done
done

printf '\n%-18s %-10s %11s %11s %12s\n' 'NVMe reads' config 'page-inval' 'IOTLB hits' 'IOTLB walks'
for phase in dma-quiet dma-churn; do
	for arg in "$@"; do
		label=${arg%%=*} dir=${arg#*=}
		awk -F'\t' -v p="$phase" -v label="$label" '
			NR > 1 && $1 == p {
				printf "%-18s %-10s %11d %11d %12d\n",
					(p == "dma-quiet" ? "alone" : "under fork churn"),
					label, $4, $9, $10
			}' "$dir/results.tsv"
	done
done
