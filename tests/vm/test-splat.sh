#!/usr/bin/env bash
# The rig's console check: a run whose scenarios all pass but whose kernel
# reported a warning, or whose IOMMU reported a fault, must fail, naming
# the lines.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$(mktemp -d /tmp/iosup-splat.XXXXXX)
"$RIG_DIR/run.sh" --out "$out/run" "$@" splat >"$out/stdout" 2>"$out/stderr"
rc=$?

fail() {
	echo "splat: FAIL: $*" >&2
	sed 's/^/  > /' "$out/stderr" | tail -n 40 >&2
	exit 1
}
[ $rc -ne 0 ] || fail "the rig exited 0 although the kernel reported a warning"
grep -qF "the console reports a kernel or hypervisor problem" "$out/stderr" ||
	fail "no message about the console"
grep -qF "WARNING: CPU: 0 PID:" "$out/stderr" || fail "the warning's line is not shown"
grep -qF "[VT-D]DMAR:[DMA Read] Request device" "$out/stderr" || fail "the IOMMU fault's line is not shown"
grep -qF "IOSUP-MARK ran splat status=0" "$out/run/console.log" ||
	fail "the scenario itself did not pass, so this proves nothing"
echo "splat: rig exited $rc: $(grep -F 'WARNING: CPU' "$out/stderr" | head -n1 | sed 's/^ *//')"
rm -rf "$out"
echo "splat: PASS"
