#!/usr/bin/env bash
# iosup-account on made-up counts: the account and the saving it prints,
# each bound of the model enforced on the iosup rows, and every bad input
# (a missing count, a value that is not a count, a bad model) refused with
# the exit status its usage promises. Then the project's own model loads.
# Usage: test_account.sh IOSUP-ACCOUNT COST-MODEL
set -euo pipefail
account=$1
project_model=$2

dir=$(mktemp -d /tmp/test-account.XXXXXX)
trap 'rm -rf "$dir"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run WANT ARGS...: iosup-account's output in $dir/out, its status checked.
run() {
	local want=$1 rc=0
	shift
	"$account" "$@" >"$dir/out" 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$dir/out" >&2; fail "exit $rc, expected $want: $*"; }
}
has() { grep -qF -- "$1" "$dir/out" || { cat "$dir/out" >&2; fail "no '$1' in the output"; }; }

printf '%s\n' '# two kinds' \
	"$(printf 'kind\tkeys\tlo\thi\tbound\tsource')" \
	"$(printf 'call\tcalls[*]\t100\t400\tx1.5\ttest')" \
	"$(printf 'flush\tflush_a+flush_b\t1000\t4000\t0.1\ttest')" >"$dir/model.tsv"

# strict: 10 calls and 2 flushes a process; pool: 12 calls and none.
cat >"$dir/good" <<'COUNTS'
strict-exit procs=10 calls[0]=60 calls[1]=40 flush_a=15 flush_b=5
pool-exit procs=10 calls[0]=120 calls[1]=0 flush_a=0 flush_b=0
COUNTS
run 0 --model "$dir/model.tsv" --csv "$dir/a.csv" "$dir/good"
has "call                            10.00            12.00"
has "flush                            2.00             0.00"
# Saved: 2 flushes at sqrt(1000*4000) = 2000, less 2 calls at
# sqrt(100*400) = 200: 3.6 kcycles a process, 3.6 Mcycles per 1,000; low
# end 2*1000 - 2*400 = 1.2, high end 2*4000 - 2*100 = 7.8.
has "fork+exit         pool           3.6       1.2 to       7.8"
grep -qx 'pool,exit,10,call,12.0000,1200,4800' "$dir/a.csv" || fail "CSV row"
# The pool's 2 more calls stop paying when the 2 flushes' 4000 cycles are
# spent on them: 2000 cycles a call, above the model's 100-400.
has "fork+exit         pool     call                       2000   100-400"
# Flushes saved cost nothing: then no weight of the calls pays for them.
sed 's/^strict-exit .*/strict-exit procs=10 calls[0]=60 calls[1]=40 flush_a=0 flush_b=0/' \
	"$dir/good" >"$dir/even"
run 0 --model "$dir/model.tsv" "$dir/even"
has "fork+exit         pool     call                      never   100-400"

# The pool over a relative bound (x1.5 of 10, 4% and 0.1 more: 15.70),
# and over an absolute one (0.1 a process).
sed 's/calls\[0\]=120/calls[0]=160/; s/pool-exit \(.*\)flush_a=0/pool-exit \1flush_a=2/' \
	"$dir/good" >"$dir/over"
run 1 --model "$dir/model.tsv" "$dir/over"
has "FAIL pool-exit: call 16.00 per process, the model allows 15.70"
has "FAIL pool-exit: flush 0.20 per process, the model allows 0.10"

# Bad counts: a missing key, a value that is not a count, a bad tag, a
# row twice, no procs.
sed 's/ flush_b=5//' "$dir/good" >"$dir/bad"
run 1 --model "$dir/model.tsv" "$dir/bad"
has "strict-exit: no count for flush_b (flush)"
for line in 'strict-exit procs=10 calls[0]=6x flush_a=1 flush_b=1' \
	'strict-exit procs=10 calls[0]=-6 flush_a=1 flush_b=1' \
	'stock-exit procs=10 calls[0]=6 flush_a=1 flush_b=1' \
	'strict-exit calls[0]=6 flush_a=1 flush_b=1'; do
	echo "$line" >"$dir/bad"
	run 1 --model "$dir/model.tsv" "$dir/bad"
done
cat "$dir/good" "$dir/good" >"$dir/bad"
run 1 --model "$dir/model.tsv" "$dir/bad"
has "strict-exit twice"

# Bad models: lo above hi, a bound that is none, a missing header.
sed 's/\t100\t400\t/\t500\t400\t/' "$dir/model.tsv" >"$dir/m"
run 2 --model "$dir/m" "$dir/good"
sed 's/\tx1.5\t/\tabout\t/' "$dir/model.tsv" >"$dir/m"
run 2 --model "$dir/m" "$dir/good"
has "bound 'about' is not -, xFACTOR or a number"
grep -v '^kind' "$dir/model.tsv" >"$dir/m"
run 2 --model "$dir/m" "$dir/good"
run 2 "$dir/good"

# The project's model: every line parses (a good model and no rows is
# "no rows", exit 1, not a model error).
: >"$dir/empty"
run 1 --model "$project_model" "$dir/empty"
has "no rows"
echo "account: ok"
