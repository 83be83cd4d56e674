# Shared helpers for the rig's scripts. Sourced, never run.
# shellcheck shell=bash

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$RIG_DIR/../.." && pwd)

# Build outputs live outside the checkout, keyed by a hash of their inputs,
# so a fresh clone reuses them but never depends on them being there.
IOSUP_CACHE=${IOSUP_CACHE:-/var/cache/iosup}

log() { printf 'rig: %s\n' "$*" >&2; }
die() { printf 'rig: error: %s\n' "$*" >&2; exit 1; }

# phase NAME CMD...: run CMD and print how long it took, so every run shows
# where its time goes (cold vs warm cache).
phase() {
	local name=$1 start rc
	shift
	start=$EPOCHREALTIME
	"$@"
	rc=$?
	printf 'rig: phase %-24s %8.1f s%s\n' "$name" \
		"$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" \
		"$([ $rc -eq 0 ] || printf ' (failed, exit %d)' $rc)" >&2
	return $rc
}

# hash_of FILE|DIR...: a short stable digest of the contents (and names) of
# the given inputs, for cache keys.
hash_of() {
	local p
	for p in "$@"; do
		if [ -d "$p" ]; then
			(cd "$p" && find . -type f -print0 | LC_ALL=C sort -z |
				xargs -0 sha256sum)
		else
			printf '%s ' "$(basename "$p")"
			sha256sum <"$p"
		fi
	done | sha256sum | cut -c1-16
}

# cache_dir KIND KEY: the directory for one cached build output. A build
# writes into KIND-KEY.tmp and renames it when complete, so an interrupted
# build is never mistaken for a finished one.
cache_dir() {
	printf '%s/%s-%s' "$IOSUP_CACHE" "$1" "$2"
}

# cache_lock DIR: hold a lock on one cache entry until the script exits, so
# two runs building the same entry at once take turns (the second finds it
# built).
cache_lock() {
	mkdir -p "$IOSUP_CACHE"
	exec 9>"$1.lock"
	flock 9
}

# cache_entry NAME KEY: the cache entry NAME-KEY in $out, locked (see
# cache_lock); true when it is still to be built ($out/ok is missing),
# with an empty $tmp to build it in and cache_commit to $out. Called as an
# if's condition, where set -e does not reach: each step dies by itself.
cache_entry() {
	out=$(cache_dir "$1" "$2")
	cache_lock "$out" || die "cannot lock the cache entry $out"
	[ ! -f "$out/ok" ] || return 1
	tmp=$out.tmp
	rm -rf "$tmp" && mkdir -p "$tmp" || die "cannot make $tmp"
}

# kernel_deb DIR PART: linux-PART-RELEASE_*.deb (PART image or headers) in
# DIR, a directory of kshim/linux/build-deb.sh, whose "release" file names
# RELEASE; fails unless there is exactly one.
kernel_deb() {
	local release
	release=$(cat "$1/release" 2>/dev/null) || return 1
	set -- "$1/linux-$2-${release}_"*.deb
	[ $# -eq 1 ] && [ -f "$1" ] && echo "$1"
}

cache_commit() {
	rm -rf "$2"
	mv "$1" "$2"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "this needs root (apt-get, and /var/cache/iosup); run it as root"
}

# cell FILE PHASE COLUMN: one cell of iosup-vtd-phases' table, the column
# found by its header; fails if the phase or the column is missing.
cell() {
	awk -F'\t' -v p="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		$1 == p && c { print $c; found = 1 }
		END { if (!found) exit 1 }' "$1"
}

# tsv DIR PHASE COLUMN: one cell of a rig run's results.tsv (run.sh --out
# DIR).
tsv() {
	cell "$1/results.tsv" "$2" "$3"
}

# The verdict of a rig test that checks several things: test_fail says what
# failed and goes on; test_finish ends with "$TEST_NAME: PASS" (exit 0; the
# logs in $TEST_OUT removed unless TEST_KEEP=1) or with "$TEST_NAME: FAIL"
# and where the logs are.
failed=0
test_fail() {
	printf '%s: FAIL: %s\n' "$TEST_NAME" "$*"
	failed=1
}
test_finish() {
	if [ $failed -eq 0 ]; then
		[ "${TEST_KEEP:-0}" -eq 1 ] || rm -rf "$TEST_OUT"
		echo "$TEST_NAME: PASS"
		exit 0
	fi
	echo "$TEST_NAME: logs kept in $TEST_OUT"
	echo "$TEST_NAME: FAIL"
	exit 1
}

# is_num V: V is a decimal number ("-", "", "nan" and "1e3" are not). Every
# comparison below goes through it, so a missing or garbled reading fails
# the check instead of comparing as a string.
is_num() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }

# numbers V...: all are numbers, or say which is not and fail.
numbers() {
	local v
	for v in "$@"; do
		is_num "$v" || { printf 'rig: not a number: "%s"\n' "$v" >&2; return 2; }
	done
}

# le A B: A <= B; lt A B: A < B; ge A B: A >= B; as decimals, failing (2)
# when either is not a number.
le() { numbers "$1" "$2" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
lt() { numbers "$1" "$2" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
ge() { numbers "$1" "$2" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# within A B TOL: |A - B| <= TOL * B with B > 0, all numbers.
within() {
	numbers "$1" "$2" "$3" &&
		awk -v a="$1" -v b="$2" -v t="$3" \
			'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= t * b) }'
}

# kv LINE KEY: the value of KEY=VALUE in LINE.
kv() { tr ' \r' '\n\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }

# mem_check DIR FREE_SLACK_KB UNPOOLED_SLACK_KB: the IOSUP-MEM line a pool
# scenario printed in the boot DIR, shown, and checked: after rmmod, dom0's
# free memory within FREE_SLACK_KB of before insmod, its free-or-owned-
# elsewhere memory (mem_reading in guest.sh) within UNPOOLED_SLACK_KB, and
# Xen's free memory unchanged. The first moves with what the kernel keeps
# in its caches; the second does not, so it is the one that sees a few
# pages the pools did not give back.
mem_check() {
	local line before after ub ua held xb xa
	line=$(grep -a 'IOSUP-MEM ' "$1/console.log" | tail -n1) ||
		{ test_fail "unload: no IOSUP-MEM line in $1"; return; }
	before=$(kv "$line" before_kb) after=$(kv "$line" after_kb) held=$(kv "$line" held_pages)
	ub=$(kv "$line" unpooled_before_kb) ua=$(kv "$line" unpooled_after_kb)
	xb=$(kv "$line" xen_before_mb) xa=$(kv "$line" xen_after_mb)
	local v
	# Xen's figures too: an "xl info" that failed leaves them empty, and
	# two empty strings are equal.
	for v in "$before" "$after" "$ub" "$ua" "$xb" "$xa" "$held"; do
		[[ $v =~ ^[0-9]+$ ]] ||
			{ test_fail "unload: the IOSUP-MEM line lacks a figure: $line"; return; }
	done
	printf '  dom0 free %s kB before insmod, %s kB after rmmod (%+d kB; the pools held %s pages)\n' \
		"$before" "$after" $((after - before)) "$held"
	printf '  dom0 free or owned elsewhere %s kB before, %s kB after (%+d kB); Xen free %s -> %s MiB\n' \
		"$ub" "$ua" $((ua - ub)) "$xb" "$xa"
	[ $((before - after)) -le "$2" ] ||
		test_fail "unload: dom0 has $((before - after)) kB less free memory than before insmod"
	[ $((ub - ua)) -le "$3" ] ||
		test_fail "unload: $((ub - ua)) kB of dom0's memory is neither free nor owned by the kernel's caches after rmmod"
	[ "$xb" = "$xa" ] || test_fail "unload: Xen's free memory went from $xb to $xa MiB"
}

# build_pool OUT [FLAVOUR]: the patched kernel's rig inputs (flavour debug
# unless named) into OUT/kernel.inputs and the module's path into
# OUT/module, or the test fails and finishes.
build_pool() {
	local flavour=${2:-debug}
	phase kernel "$SRC_ROOT/kshim/linux/build.sh" --flavour "$flavour" >"$1/kernel.inputs" ||
		{ test_fail "kshim/linux/build.sh --flavour $flavour failed"; test_finish; }
	phase module "$SRC_ROOT/kshim/linux/build-module.sh" --flavour "$flavour" >"$1/module" ||
		{ test_fail "kshim/linux/build-module.sh --flavour $flavour failed"; test_finish; }
}

# flavour_arg VALUE: VALUE if it names a kernel flavour, else the script dies.
flavour_arg() {
	case $1 in
	debug|prod) echo "$1" ;;
	*) die "--flavour: '$1' is not one of debug, prod" ;;
	esac
}
