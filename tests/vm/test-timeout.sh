#!/usr/bin/env bash
# The rig's own failure path: a scenario that never marks its end must be
# reported as timed out, with the console's last lines, and a non-zero exit.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

DEADLINE=20
out=$(mktemp -d /tmp/iosup-timeout.XXXXXX)
start=$SECONDS
"$RIG_DIR/run.sh" --deadline "$DEADLINE" --out "$out/run" "$@" hang \
	>"$out/stdout" 2>"$out/stderr"
rc=$?
took=$((SECONDS - start))

fail() {
	echo "timeout: FAIL: $*" >&2
	sed 's/^/  > /' "$out/stderr" | tail -n 40 >&2
	exit 1
}
[ $rc -ne 0 ] || fail "the rig exited 0 for a scenario that never ends"
grep -qF "timed out after ${DEADLINE}s waiting for the end of scenario 'hang'" "$out/stderr" ||
	fail "no timeout message naming the scenario"
grep -qF "last console lines" "$out/stderr" || fail "no console tail"
# The tail must be the console's, showing where the scenario stopped.
grep -q '  | .*IOSUP-MARK begin hang' "$out/stderr" || fail "the console tail lacks the scenario's last mark"
pgrep -f "$out/run/" >/dev/null && fail "QEMU was left running"
echo "timeout: rig exited $rc after ${took}s with the console tail"
rm -rf "$out"
echo "timeout: PASS"
