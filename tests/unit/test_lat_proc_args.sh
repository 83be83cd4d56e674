#!/bin/sh
# iosup-lat-proc refuses bad flags with a message naming the flag, and runs a
# few iterations of each mode.
set -eu
prog=$1
fail() { echo "test_lat_proc_args: $*" >&2; exit 1; }

expect_refused() {
	want=$1
	shift
	if out=$("$prog" "$@" 2>&1); then
		fail "'$*' was accepted"
	fi
	case $out in
	*"$want"*) ;;
	*) fail "'$*': expected '$want' in: $out" ;;
	esac
}

expect_refused "-n: 'x' is not a number" -n x fork-exit
expect_refused "-n: '12k' is not a number" -n 12k fork-exit
expect_refused "-n: must be at least 1" -n 0 fork-exit
expect_refused "-w: '-1' is not a number" -w -1 fork-exit
expect_refused "unknown MODE 'spawn'" spawn
expect_refused "expected exactly one MODE" fork-exit fork-exec
expect_refused "-x: 'true' is not an executable absolute path" -x true fork-exec
expect_refused "-x: '/nonexistent/exit' is not an executable absolute path" -x /nonexistent/exit fork-exec
expect_refused "-x goes with fork-exec only" -x /bin/true fork-exit
expect_refused "-s: '4097' is not a number from 0 to 4096" -s 4097 fork-exit
expect_refused "-s: 'many' is not a number" -s many fork-exit

for mode in fork-exit fork-exec fork-sh; do
	out=$("$prog" -n 20 -w 2 "$mode")
	case $out in
	"lat_proc tag=$mode mode=$mode iterations=20 mean_us="*) ;;
	*) fail "$mode: unexpected output: $out" ;;
	esac
done
out=$("$prog" -n 5 -w 0 -s 16 fork-exit)
case $out in
"lat_proc tag=fork-exit mode=fork-exit iterations=5 mean_us="*" spread=16") ;;
*) fail "-s: unexpected output: $out" ;;
esac
out=$("$prog" -n 5 -w 0 -x /bin/true fork-exec)
case $out in
"lat_proc tag=fork-exec mode=fork-exec iterations=5 mean_us="*) ;;
*) fail "-x: unexpected output: $out" ;;
esac
expect_refused "child did not exit with status 0" -n 1 -w 0 -x /bin/false fork-exec
[ "$("$prog" -n 5 -w 0 -e fork-exit | wc -l)" -eq 6 ] || fail "-e must print one line per iteration plus the summary"

# IOSUP_MARK_PROBE must be an absolute path, -m or not; without -m nothing
# is read, so a path that does not exist passes.
if out=$(IOSUP_MARK_PROBE=nvme0n1 "$prog" -n 1 -w 0 fork-exit 2>&1); then
	fail "IOSUP_MARK_PROBE=nvme0n1 was accepted"
fi
case $out in
*"IOSUP_MARK_PROBE: 'nvme0n1' is not an absolute path"*) ;;
*) fail "IOSUP_MARK_PROBE=nvme0n1: expected a refusal, got: $out" ;;
esac
IOSUP_MARK_PROBE=/nonexistent/disk "$prog" -n 1 -w 0 fork-exit >/dev/null ||
	fail "IOSUP_MARK_PROBE read without -m"
"$prog" -h | grep -q IOSUP_MARK_PROBE || fail "-h does not mention IOSUP_MARK_PROBE"
echo "test_lat_proc_args: ok"
