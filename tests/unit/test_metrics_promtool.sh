#!/usr/bin/env bash
# The metrics file as Prometheus reads it: `promtool check metrics` (format
# and lint) on the fixed period test-metrics renders, a hostile domain
# name in it. promtool comes from Debian's prometheus package, which
# scripts/deps installs: without it this fails.
# Usage: test_metrics_promtool.sh TEST-METRICS
set -euo pipefail
test_metrics=$1

command -v promtool >/dev/null ||
	{ echo "FAIL: no promtool (Debian's prometheus package; scripts/deps installs it)" >&2; exit 1; }
text=$("$test_metrics" render)
printf '%s\n' "$text" | sed -n '1,6p'
echo ...
rc=0
out=$(printf '%s\n' "$text" | promtool check metrics 2>&1) || rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	echo "FAIL: promtool check metrics: exit $rc, or it said something" >&2
	exit 1
fi
# What the checker must have parsed: every family, the hostile name one label.
for name in iosup_xen_type_change_unmaps_total iosup_pool_tables iosup_pool_free_ratio \
	iosup_pool_shrunk_tables_total iosup_decisions_total iosup_periods_total \
	iosup_period_duration_seconds; do
	grep -q "^$name[ {]" <<<"$text" || { echo "FAIL: no $name" >&2; exit 1; }
done
echo PASS
