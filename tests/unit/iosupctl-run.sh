# shellcheck shell=bash
# Sourced by the scripted tests that drive the real iosupctl: they set
# $iosupctl and $sock and define fail().

# run EXPECTED-RC ARGS...: runs iosupctl, output in $out (stdout+stderr).
run() {
	local want=$1 rc=0
	shift
	echo "+ iosupctl $*"
	out=$("$iosupctl" --socket "$sock" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	[ "$rc" -eq "$want" ] || fail "iosupctl $*: exit $rc, expected $want"
}

# has TEXT: TEXT is in the last run's output. Not through a pipe: grep -q
# stops at the first match, and under pipefail the writer's SIGPIPE would
# fail the check.
has() {
	grep -qF -- "$1" <<<"$out" || fail "expected '$1' in the output"
}
