#!/usr/bin/env bash
# The cost account: what a process costs the hypervisor and the IOMMU,
# counted, not timed (TCG distorts time, not counts). Boots the rig's
# hypervisor (perf counters on, kshim/xen) three times, each running the
# account scenario (fork+exit, fork+execve, fork+/bin/sh -c storms):
#   strict   Debian's kernel, dom0-iommu=strict
#   relaxed  Debian's kernel, the IOMMU not kept in step with page types
#   iosup    the iosup kernel (prod flavour): without the module (nopool),
#            with iosup.ko at its defaults (pool), at limit 0 with iosupd
#            sizing it (iosupd)
# and hands the counts (Xen's perf counters, dom0's IOMMU flush counters,
# the page faults, and QEMU's invalidation and wait descriptors per phase)
# to iosup-account (tests/bench/account.c), which prints the account per
# process, the modeled cycles on real hardware from the weights in
# tests/bench/cost-model.tsv, the saving per 1,000 processes, and writes the
# CSV; it fails when an iosup row counts more of an operation than the model
# allows (see cost-model.tsv's bounds).
#
# usage: test-account.sh [--procs N] [--keep] [--check DIR]
#   --check DIR  analyse the boots kept in DIR (DIR/{strict,relaxed,iosup})
# Ends with "account: PASS" (exit 0) or "account: FAIL" (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

procs=${PROCS:-200} keep=0 check=''
while [ $# -gt 0 ]; do
	case $1 in
	--procs) procs=$2; shift ;;
	--keep) keep=1 ;;
	--check) check=$2; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[[ $procs =~ ^[1-9][0-9]{0,5}$ ]] || die "--procs: '$procs' is not a count"
need_root

out=$(mktemp -d /tmp/iosup-account.XXXXXX)
TEST_NAME=account TEST_OUT=$out TEST_KEEP=$keep
boots=(strict relaxed iosup)

# boot NAME INPUTS [RUN_ARGS...]: one rig run of the account scenario.
boot() {
	local name=$1 inputs=$2
	shift 2
	log "boot '$name'"
	# norandmaps: every process the same tree, every row comparable.
	"$RIG_DIR/run.sh" --inputs "$inputs" --procs "$procs" --dom0-args norandmaps \
		--out "$out/$name" "$@" account >/dev/null ||
		test_fail "the '$name' boot failed (see $out/$name/console.log)"
}

if [ -n "$check" ]; then
	for b in "${boots[@]}"; do
		[ -f "$check/$b/console.log" ] || die "--check: no $b/console.log in '$check'"
		ln -s "$(realpath "$check/$b")" "$out/$b"
	done
else
	build_pool "$out" prod
	phase patched-xen "$SRC_ROOT/kshim/xen/build.sh" >"$out/xen.inputs" ||
		{ test_fail "kshim/xen/build.sh failed"; test_finish; }
	# The patched kernel under the patched hypervisor: its XEN_* win.
	cat "$out/kernel.inputs" <(grep '^XEN_' "$out/xen.inputs") >"$out/iosup.inputs"
	phase boot-strict boot strict "$out/xen.inputs"
	phase boot-relaxed boot relaxed "$out/xen.inputs" --relaxed
	phase boot-iosup boot iosup "$out/iosup.inputs" --extra-ko "$(cat "$out/module")"
	[ $failed -eq 0 ] || test_finish
fi

# The counts: each phase's IOSUP-ACCOUNT line, with QEMU's page-selective
# invalidations and wait descriptors for the phase appended.
counts=$out/counts.txt
: >"$counts"
for b in "${boots[@]}"; do
	grep -a ' IOSUP-ACCOUNT ' "$out/$b/console.log" | cut -d' ' -f3- | tr -d '\r' |
		while read -r tag rest; do
			psi=$(tsv "$out/$b" "$tag" iotlb_pages) &&
				wait_sw=$(tsv "$out/$b" "$tag" wait_sw) ||
				{ echo "no phase $tag in $b's results.tsv" >&2; exit 1; }
			echo "$tag $rest qemu_iotlb_psi=$psi qemu_wait_sw=$wait_sw"
		done >>"$counts" || test_fail "the $b boot's phases do not match its counts"
done

"$SRC_ROOT/build/rig/tests/iosup-account" --model "$SRC_ROOT/tests/bench/cost-model.tsv" \
	--csv "$out/account.csv" "$counts" || test_fail "the account's checks (above)"
[ $failed -ne 0 ] || [ "$keep" -eq 0 ] || echo "account: CSV in $out/account.csv"
echo
test_finish
