#!/usr/bin/env bash
# The rig's own failure paths. A scenario that never marks its end must be
# reported with the console's last lines and a non-zero exit, both when it
# runs past its deadline and, long before a generous deadline, when its
# console falls silent (a hang must fail fast, whatever the deadline).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

DEADLINE=20
STALL=20
out=$(mktemp -d /tmp/iosup-timeout.XXXXXX)

fail() {
	echo "timeout: FAIL: $*" >&2
	sed 's/^/  > /' "$out/stderr" | tail -n 40 >&2
	exit 1
}

# hang_run WHAT EXPECTED_MESSAGE RUN_ARGS...: the hang scenario in a rig run
# that must fail with EXPECTED_MESSAGE and the console's tail.
hang_run() {
	local what=$1 want=$2 start=$SECONDS rc
	shift 2
	rm -rf "$out/run"
	"$RIG_DIR/run.sh" --out "$out/run" "$@" hang >"$out/stdout" 2>"$out/stderr"
	rc=$?
	[ $rc -ne 0 ] || fail "$what: the rig exited 0 for a scenario that never ends"
	grep -qF "$want" "$out/stderr" || fail "$what: no message '$want'"
	grep -qF "last console lines" "$out/stderr" || fail "$what: no console tail"
	# The tail must be the console's, showing where the scenario stopped.
	grep -q '  | .*IOSUP-MARK begin hang' "$out/stderr" ||
		fail "$what: the console tail lacks the scenario's last mark"
	pgrep -f "$out/run/" >/dev/null && fail "$what: QEMU was left running"
	echo "timeout: $what: rig exited $rc after $((SECONDS - start))s with the console tail"
}

hang_run deadline "timed out after ${DEADLINE}s waiting for the end of scenario 'hang'" \
	--deadline "$DEADLINE" "$@"
RIG_STALL_SECONDS=$STALL hang_run silence \
	"no console output for ${STALL}s while waiting for the end of scenario 'hang': hung" \
	--deadline 3600 "$@"
rm -rf "$out"
echo "timeout: PASS"
