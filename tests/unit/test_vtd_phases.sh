#!/usr/bin/env bash
# iosup-vtd-phases on small made-up logs: a trace line naming a counted
# event that does not parse fails the run (file, line, text), the VT-d
# domain ids must number -n, and with -a each mark needs dom0's DMA within
# the quiet second around its stamp.
# Usage: test_vtd_phases.sh IOSUP_VTD_PHASES
set -euo pipefail
prog=$1

dir=$(mktemp -d /tmp/test-vtd-phases.XXXXXX)
trap 'rm -rf "$dir"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run WANT_STATUS ARGS...: runs the program; its stderr in $err, stdout in
# $out.
run() {
	local want=$1 rc=0
	shift
	out=$("$prog" "$@" 2>"$dir/err") || rc=$?
	err=$(cat "$dir/err")
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want; stderr: $err"
}
expect_err() {
	[[ $err == *"$1"* ]] || fail "expected '$1' on stderr, got: $err"
}

cat >"$dir/console" <<'LOG'
1000.000000 (XEN) Xen version 4.17
1001.000000 [    1.0] IOSUP-MARK begin storm procs=2
1004.000000 [    4.0] IOSUP-MARK end storm
LOG
# dom0's probe reads: 2 ms before the begin stamp, 12 ms after the end's
# (both outside the phase, so its DMA columns stay 0).
cat >"$dir/trace" <<'LOG'
qemu-system-x86_64: a message of QEMU's own
7@999.000000:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x0 addr 0x1 mask 0x0
7@1000.998000:vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x1000 slpte 0x3 domain 0x0
7@1002.000000:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x0 addr 0x1 mask 0x0
7@1002.000001:vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x0 addr 0x2 mask 0x0
7@1002.000002:vtd_inv_desc invalidate desc type iotlb high 0x2000 low 0x32
7@1002.000003:vtd_inv_desc invalidate desc type device high 0x2000 low 0x2000000003
7@1004.012000:vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 domain 0x0
LOG

run 0 -a "$dir/console" "$dir/trace"
# The device-IOTLB descriptor counts in the last column, the other one not.
[[ $out == *$'\nstorm\t2\t3.0\t2\t1.00\t0\t0\t0\t0\t0\t-\t-\t1\t0' ]] || fail "unexpected table: $out"
expect_err "iosup-vtd-phases: VT-d domains: dom0=0x0 (5 events)"
expect_err "iosup-vtd-phases: alignment: 2 marks, lag min -2.0 ms, max 12.0 ms (quiet period 1000 ms)"

# Without -a, no probe is needed (old logs).
grep -v page_ "$dir/trace" >"$dir/noprobe"
run 0 "$dir/console" "$dir/noprobe"
run 1 -a "$dir/console" "$dir/noprobe"
expect_err "phase 'storm', begin mark (stamped 1001.000000): no device DMA of dom0"
expect_err "phase 'storm', end mark (stamped 1004.000000): no device DMA of dom0"
[ -z "$out" ] || fail "a failed run printed a table: $out"

# A probe's DMA further than the quiet second from its mark does not count.
sed 's/^7@1004\.012000:/7@1005.000001:/' "$dir/trace" >"$dir/late"
run 1 -a "$dir/console" "$dir/late"
expect_err "end mark (stamped 1004.000000): no device DMA"

# Another domain's DMA at the mark does not stand in for dom0's probe.
sed 's/^\(7@1004\.012000:.*domain \)0x0$/\10x5/' "$dir/trace" >"$dir/domu"
run 1 -a -n 2 "$dir/console" "$dir/domu"
expect_err "dom0=0x0 (4 events) domU1=0x5 (1 events)"
expect_err "end mark (stamped 1004.000000): no device DMA"

# Domain ids: exactly -n of them, and never none.
run 1 "$dir/console" "$dir/domu"
expect_err "the trace names 2 distinct VT-d domain ids, expected 1 (-n)"
run 1 -n 3 "$dir/console" "$dir/trace"
expect_err "the trace names 1 distinct VT-d domain ids, expected 3 (-n)"
grep -v domain "$dir/trace" >"$dir/nodomain"
run 1 "$dir/console" "$dir/nodomain"
expect_err "VT-d domains: none"
expect_err "no event names a VT-d domain"
run 2 -n 0 "$dir/console" "$dir/trace"
expect_err "-n: '0' is not a count of VT-d domains (1-65536)"
run 2 -n 65537 "$dir/console" "$dir/trace"

# A counted event that does not parse: the file, the line and its text.
sed '4s/domain 0x0 //' "$dir/trace" >"$dir/bad"
run 1 "$dir/console" "$dir/bad"
expect_err "$dir/bad:4: a VT-d event we count, in a form we cannot parse"
expect_err ": 7@1002.000000:vtd_inv_desc_iotlb_pages iotlb invalidate addr 0x1 mask 0x0"
sed '3s/@1000\.998000:/@1000,998000:/' "$dir/trace" >"$dir/badstamp"
run 1 "$dir/console" "$dir/badstamp"
expect_err "$dir/badstamp:3: a VT-d event we count"

echo "test_vtd_phases: ok"
