#!/usr/bin/env bash
# Each anti-oscillation and safety rule of the controller is pinned by a
# test: for every mutation below (a constant zeroed, a rule dropped), the
# controller's tests built against the mutated daemon/controller.c must
# fail. A mutation that leaves them passing is a rule nobody checks.
#
# usage: test_controller_mutations.sh SOURCE_ROOT
set -euo pipefail
top=${1:?usage: test_controller_mutations.sh SOURCE_ROOT}
cc=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

src=$top/daemon/controller.c
test_src=$top/tests/unit/test_controller.c

# name|sed expression applied to controller.c|the test expected to catch it
mutations=(
	"pressure cool-down removed|s/^#define PRESSURE_COOLDOWN_MS .*/#define PRESSURE_COOLDOWN_MS 0/|pressure"
	"pressure no-grow dropped|s/p.no_grow = state->pressure_until_ms != 0;/p.no_grow = false;/|pressure"
	"pressure cut every sample|s/^#define PRESSURE_CUT_MS .*/#define PRESSURE_CUT_MS 0/|pressure"
	"free-memory floor ignored|s/return sample->have_memory \&\& sample->mem_total \&\&/return false \&\&/|pressure"
	"pressure ratio never set|s/d->ratio_reason = CTL_PRESSURE;/d->ratio_reason = CTL_HOLD;/|pressure"
	"miss dead band zeroed|s/^#define MISS_DEAD_BAND_PER_S .*/#define MISS_DEAD_BAND_PER_S 0.0/|dead_band"
	"grow hold removed|s/^#define GROW_HOLD_MS .*/#define GROW_HOLD_MS 0/|grow_hold"
	"idle hold removed|s/^#define IDLE_MS .*/#define IDLE_MS 0/|step"
	"demand floor dropped|s/floor = fmin(state->level\[l\].demand, state->level\[l\].pool_peak);/floor = 0;/|step"
	"peak kept only at its maximum|s/^#define PEAK_KEEP .*/#define PEAK_KEEP 1.0/|noisy"
	"shrink in one step|s/^#define SHRINK_HALF_MS .*/#define SHRINK_HALF_MS 1/|live_bursts"
	"operator hold removed|s/^#define OPERATOR_HOLD_MS .*/#define OPERATOR_HOLD_MS 0/|operator"
	"grow while the pool refills|s/hits + misses > limit \&\&/true \&\&/|step"
	"grow gain of one|s/^#define GROW_GAIN .*/#define GROW_GAIN 1/|period_independence"
	"target aimed at its top|s/^#define TARGET_AIM .*/#define TARGET_AIM 1.0/|target"
	"a restart forgets what is pooled|s/state->level\[l\].demand = (double)(s->pool < s->limit ? s->pool : s->limit);/state->level[l].demand = 0;/|start_warm"
	"demand forgotten at once|s/^#define DEMAND_HALF_LIFE_MS .*/#define DEMAND_HALF_LIFE_MS 1/|live_bursts"
)

# The unmutated source must pass, or every "caught" below means nothing.
"$cc" -std=c11 -O1 -I"$top/daemon" -I"$top/tests/unit" -o "$work/plain" \
	"$test_src" "$src" -lm
"$work/plain" >/dev/null || { echo "controller mutations: the unmutated tests fail" >&2; exit 1; }

failed=0
for m in "${mutations[@]}"; do
	IFS='|' read -r name expr expect <<<"$m"
	sed -e "$expr" "$src" >"$work/controller.c"
	if cmp -s "$src" "$work/controller.c"; then
		echo "FAIL $name: the mutation matched nothing in controller.c"
		failed=1
		continue
	fi
	"$cc" -std=c11 -O1 -I"$top/daemon" -I"$top/tests/unit" -o "$work/mutant" \
		"$test_src" "$work/controller.c" -lm
	if out=$("$work/mutant" 2>&1); then
		echo "FAIL $name: every controller test still passes"
		failed=1
		continue
	fi
	# The test that failed is the last one that said it runs.
	caught=$(printf '%s\n' "$out" | sed -n 's/^== //p' | tail -1)
	if [ "$caught" != "$expect" ]; then
		echo "FAIL $name: caught by '$caught', expected '$expect'"
		failed=1
		continue
	fi
	echo "caught: $name, by $caught"
done
[ "$failed" = 0 ] && echo "controller mutations: all ${#mutations[@]} caught" || exit 1
