#!/usr/bin/env bash
# The real iosupd binary's command line: --help, --version, strict options
# (exit 2 naming the bad one), a bad config file (exit 1 naming file, line
# and key, before anything starts), off Xen a one-line refusal (exit 1),
# and --check-config on a config and the policy files beside it.
# Usage: test_iosupd_cli.sh IOSUPD
set -euo pipefail
iosupd=$1

dir=$(mktemp -d /tmp/test-iosupd-cli.XXXXXX)
trap 'rm -rf "$dir"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run EXPECTED-RC ARGS...: runs iosupd, output in $out (stdout+stderr).
run() {
	local want=$1 rc=0
	shift
	echo "+ iosupd $*"
	out=$(timeout 10 "$iosupd" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	[ "$rc" -eq "$want" ] || fail "iosupd $*: exit $rc, expected $want"
}

has() {
	grep -qF -- "$1" <<<"$out" || fail "expected '$1' in the output"
}

lines() {
	[ "$(printf '%s\n' "$out" | wc -l)" -eq "$1" ] || fail "expected $1 line(s) of output"
}

run 0 --help
has "Usage: iosupd"
has "--observe"
run 0 -h
has "Usage: iosupd"
run 0 --version
has "iosupd "

run 2 --bogus
has "'--bogus'"
has "iosupd --help"
run 2 -x
has "'x'"
run 2 --config
has "'--config'"
run 2 stray
has "'stray'"
run 2 --socket ""
has "empty path"

# A bad file: its name, the line and the key, and nothing else started.
printf '# defaults\nperiod_ms = 1000\nmax_pages = lots\n' >"$dir/bad.conf"
run 1 -c "$dir/bad.conf"
has "$dir/bad.conf:3: max_pages"
lines 1
printf 'period_ms = 1000\nperiod_ms = 2000\n' >"$dir/twice.conf"
run 1 --config "$dir/twice.conf" --observe
has "$dir/twice.conf:2: period_ms"
printf 'colour = blue\n' >"$dir/unknown.conf"
run 1 --config="$dir/unknown.conf"
has "$dir/unknown.conf:1: unknown key 'colour'"
mkdir "$dir/a-directory.conf"
run 1 -c "$dir/a-directory.conf"
has "$dir/a-directory.conf"

# A good (or missing) config gets as far as looking for Xen.
printf 'period_ms = 1000\n' >"$dir/good.conf"
if [ "$(cat /sys/hypervisor/type 2>/dev/null)" = xen ]; then
	echo "skipped: the 'not running on Xen' case, this host is on Xen"
else
	run 1 -c "$dir/good.conf" --socket "$dir/control"
	has "iosupd: not running on Xen"
	lines 1
	[ ! -e "$dir/control" ] || fail "a control socket was created off Xen"
	run 1 -c "$dir/missing.conf" --socket "$dir/control"
	has "iosupd: not running on Xen"
fi
# --check-config: the config and the policy files beside it, without Xen.
mkdir "$dir/policy.d"
printf 'name = web\nmax_pages = 8192\n' >"$dir/policy.d/web.conf"
run 0 --check-config -c "$dir/good.conf"
has "iosupd: $dir/good.conf: good"
has "iosupd: $dir/policy.d: 1 policy file(s) good, 0 left out"
printf 'name = db\nmin_pages = lots\n' >"$dir/policy.d/db.conf"
printf 'period_ms = 1\n' >"$dir/bad.conf"
run 1 --check-config -c "$dir/bad.conf"
has "$dir/bad.conf:1: period_ms: '1' is not a number"
has "iosupd: $dir/policy.d/db.conf:2: min_pages: 'lots' is not a number from 0 to 262144; nothing of it applied"
has "1 policy file(s) good, 1 left out"
run 0 --check-config -c "$dir/nowhere/iosupd.conf"
has "iosupd: $dir/nowhere/iosupd.conf: not there: the built-in defaults"
echo "iosupd-cli: all passed"
