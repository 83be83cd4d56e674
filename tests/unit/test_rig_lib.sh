#!/usr/bin/env bash
# The rig's checks fail closed (tests/vm/lib.sh): a comparison of a value
# that is not a number fails, whichever way it would have gone, and the
# unload check fails on an IOSUP-MEM line with a figure missing or garbled,
# Xen's among them.
# Usage: test_rig_lib.sh LIB_SH
set -uo pipefail
# shellcheck source=/dev/null
. "$1"
n=0
fail() { echo "test_rig_lib: $*" >&2; exit 1; }

# ok CMD...: CMD succeeds; no CMD...: CMD fails.
ok() { "$@" 2>/dev/null || fail "expected '$*' to hold"; n=$((n + 1)); }
no() { ! "$@" 2>/dev/null || fail "expected '$*' to fail"; n=$((n + 1)); }

ok le 1 2
ok le 2 2
no le 3 2
ok le 0.05 0.05
ok le -1 0
no le - 0.05
no le '' 0.05
no le 0.01 -
no le nan 1
no le 1e-3 1
no le 0x1 2
no le '1 ' 2
ok lt 0.00 0.1
no lt 0.1 0.1
no lt - 0.1
ok ge 9.00 8.5
no ge 8.49 8.5
no ge - 8.5
ok within 9.00 9.01 0.02
no within 9.30 9.01 0.02
no within 9.00 - 0.02
no within - 9.01 0.02
no within 0 0 0.02

# mem_check in a test's context: test_fail records, the check returns.
dir=$(mktemp -d /tmp/test-rig-lib.XXXXXX)
trap 'rm -rf "$dir"' EXIT
TEST_NAME=rig-lib
mem() {
	echo "1.0 IOSUP-MEM $*" >"$dir/console.log"
	failed=0
	mem_check "$dir" 512 128 >/dev/null
	[ $failed -eq 0 ]
}
good='before_kb=1000 after_kb=990 unpooled_before_kb=2000 unpooled_after_kb=1990 held_pages=12 xen_before_mb=999 xen_after_mb=999'
ok mem "$good"
no mem "${good/xen_after_mb=999/xen_after_mb=998}"
# "xl info" failed in the guest: both of Xen's figures empty, and equal.
no mem "${good/xen_before_mb=999/xen_before_mb=}"
no mem "$(sed 's/xen_before_mb=999/xen_before_mb=/; s/xen_after_mb=999/xen_after_mb=/' <<<"$good")"
no mem "${good/held_pages=12/held_pages=-}"
no mem "${good/after_kb=990/after_kb=}"
no mem "${good/after_kb=990/after_kb=400}"
echo "test_rig_lib: $n checks passed"
