# A soak: $PROCS fork+execs, two streams at once (one per dom0 vCPU), with
# the pools limited so small that tables are both handed out from them and
# turned away to the kernel's fallback all along, in debug mode (every
# pooled page checked in and out). The stats are checked every tenth of the
# run; at the end the module is unloaded and dom0's free memory compared.
# The child execs iosup-exit, which only exits: the same page tables as any
# new process, without a libc's start-up faults (half the time under TCG).
# The streams touch rig_soak_spread pages 2 MiB apart first (default 0), so
# that each fork copies that many more PTE tables and each exec frees them.
# Prints, for the host:
#   IOSUP-SOAK procs=N seconds=S spread=N hits=N saved=N refused=N misses=N taken=N violations=N
# and marks the phases soak-nopool (the streams before insmod) and soak.
#   IOSUP-MEM ... (mem_report in guest.sh)
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
stats=/sys/module/iosup/parameters/stats
fail() { echo "pool-soak: FAIL: $*" >&2; exit 1; }
[ -f "$ko" ] || fail "$ko is missing"

# sum COLUMN: a stats column summed over the levels (see the header line).
sum() { awk -v c="$1" '$1 ~ /^L[0-9]$/ { n += $c } END { print n + 0 }' "$stats"; }
# Columns of the header "level pool limit hits misses taken refused
# released violations free_ratio shrunk in_use", the level being the first.
HITS=4 MISSES=5 TAKEN=6 REFUSED=7 VIOLATIONS=9

spread=0
for word in $(cat /proc/cmdline); do
	case $word in rig_soak_spread=*) spread=${word#*=} ;; esac
done

# streams N: N fork+execs in each of the two streams at once.
streams() {
	iosup-lat-proc -n "$1" -w 0 -s "$spread" -x /usr/bin/iosup-exit fork-exec >/tmp/soak-a &
	_a=$!
	iosup-lat-proc -n "$1" -w 0 -s "$spread" -x /usr/bin/iosup-exit fork-exec >/tmp/soak-b || return 1
	wait $_a
}

# The same two streams once without the module before the baseline: the
# kernel's own slabs grow to what two streams of processes keep, which is
# not the pool's memory to give back at the end.
# They are also the phase the soak's invalidations are set against.
phase_begin soak-nopool procs=400
streams 200 || fail "the streams without the module"
phase_end soak-nopool
quiesce
mem_baseline
insmod "$ko" debug=1 limit_l1=6 limit_l2=3 limit_l3=2 limit_l4=1 || fail "insmod"

# Rounds of at most 500 processes a stream (at least ten rounds): each
# round prints a line, and the rig takes a minutes-long silence for a hang.
half=$((PROCS / 2))
rounds=$(( (half + 499) / 500 > 10 ? (half + 499) / 500 : 10 ))
per_round=$(( (half + rounds - 1) / rounds ))
[ "$per_round" -gt 0 ] || fail "PROCS=$PROCS is too few for a soak"
phase_begin soak procs=$((rounds * per_round * 2))
start=$(date +%s)
round=1
while [ $round -le $rounds ]; do
	streams "$per_round" || fail "round $round: a stream failed"
	# One process for the round's line: every process here builds its
	# tables from the pools too, beside the soak's counted ones.
	v=$(awk -v c=$VIOLATIONS -v h=$HITS -v r=$REFUSED '$1 ~ /^L[0-9]$/ { v += $c; hi += $h; re += $r }
		END { printf "%d hits %d, refused %d", v, hi, re }' "$stats")
	echo "pool-soak: round $round/$rounds: $((round * per_round * 2)) processes, violations ${v%% *}, ${v#* }"
	[ "${v%% *}" = 0 ] || fail "the debug checks saw ${v%% *} violations"
	round=$((round + 1))
done
seconds=$(($(date +%s) - start))
phase_end soak
cat "$stats"
hits=$(sum $HITS) refused=$(sum $REFUSED) misses=$(sum $MISSES)
# Hits weighted by the invalidations each saves: two for a pgd pair.
saved=$(awk '$1 ~ /^L[0-9]$/ { n += $'$HITS' * ($1 == "L4" ? 2 : 1) } END { print n + 0 }' "$stats")
echo "IOSUP-SOAK procs=$((rounds * per_round * 2)) seconds=$seconds spread=$spread hits=$hits saved=$saved refused=$refused misses=$misses taken=$(sum $TAKEN) violations=$(sum $VIOLATIONS)"
[ "$hits" -gt 0 ] || fail "no table came from the pools"
[ "$refused" -gt 0 ] || fail "the fallback never ran (nothing refused)"
rmmod iosup || fail "rmmod"
quiesce
mem_report pool-soak 0
exit 0
