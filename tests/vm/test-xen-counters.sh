#!/usr/bin/env bash
# The patched hypervisor's per-domain IOMMU flush counters (kshim/xen), in the
# rig. Builds what it needs (kshim/xen/build.sh), boots three times:
#   read     patched, counters read: the xencounters and xenerrors scenarios
#   patched  patched, counters never read: forkexit, forkexec
#   stock    Debian's hypervisor: forkexit, forkexec, xenabsent
# and checks:
#   exact    over a fork+exit and a fork+exec storm, dom0's page-selective
#            invalidation delta from the counters equals the
#            vtd_inv_desc_iotlb_pages events QEMU recorded for dom0's VT-d
#            domain in the same window (type-change unmaps/maps per process
#            printed beside it); this boot gives dom0 a device with ATS
#            (run.sh --ats), and its device-IOTLB delta must equal the
#            device-IOTLB descriptors QEMU took, and be more than 0
#   noread   with the counters never read, the patched hypervisor costs the
#            same invalidations per process as stock (within NOREAD_TOLERANCE)
#   errors   every bad input of the sysctl asserts its errno; the reader's
#            messages off Xen, on a stock hypervisor and for a missing domain
#   amd      the same storms on QEMU's AMD IOMMU (run.sh --iommu amd):
#            dom0's page- plus domain-selective delta from the counters
#            equals the amdvi_pages_inval commands QEMU took for domain 0
#   flask    the patched hypervisor built with FLASK (build.sh --flavour
#            flask), booted enforcing: the op is allowed to dom0 under Xen's
#            default policy, refused (with Xen's avc line naming
#            perfcontrol and dom0) under one without dom0's perfcontrol
#            loaded at run time, allowed again with the default reloaded
#   bench    fork+exit (and fork+exec) latency, patched vs stock (printed)
#
# usage: test-xen-counters.sh [--procs N] [--keep] [CHECK...]
#   --procs N  processes per storm of the noread and bench boots (default
#              500); EXACT_PROCS (default 200) those of exact's and amd's
#   CHECK is any of exact, noread, errors, amd, flask, bench (default: all);
#   only the boots those checks need are made.
# Ends with "xen-counters: PASS" (exit 0) or "xen-counters: FAIL" (exit 1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

procs=${PROCS:-500} keep=0 checks=()
# The storms of the exact and amd checks: a count equal to QEMU's is equal
# at any size, so these are smaller than noread's, whose per-process ratio
# wants the larger storm.
exact_procs=${EXACT_PROCS:-200}
# Stock measures 9.0 and 20.0 invalidations per process, each repeatable to
# within a few hundredths; a counter that cost an invalidation would add at
# least one per process. Relative, and a reading that is not a number fails.
NOREAD_TOLERANCE=0.02
while [ $# -gt 0 ]; do
	case $1 in
	--procs) procs=$2; shift ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	exact|noread|errors|amd|flask|bench) checks+=("$1") ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
[ ${#checks[@]} -gt 0 ] || checks=(exact noread errors amd flask bench)
[[ $procs =~ ^[1-9][0-9]{0,5}$ ]] || die "--procs: '$procs' is not a count"
[[ $exact_procs =~ ^[1-9][0-9]{0,5}$ ]] || die "EXACT_PROCS: '$exact_procs' is not a count"
need_root

wants() {
	local c
	for c in "${checks[@]}"; do [ "$c" = "$1" ] && return 0; done
	return 1
}

out=$(mktemp -d /tmp/iosup-xen-counters.XXXXXX)
TEST_NAME=xen-counters TEST_OUT=$out TEST_KEEP=$keep

phase patched-xen "$SRC_ROOT/kshim/xen/build.sh" >"$out/patched.inputs" ||
	{ test_fail "kshim/xen/build.sh failed"; test_finish; }
phase stock-inputs "$RIG_DIR/stock-inputs.sh" >"$out/stock.inputs" ||
	{ test_fail "stock-inputs.sh failed"; test_finish; }

# Whatever the patched hypervisor needs on its command line in the rig, the
# stock one gets too, so that the two boot alike.
xen_args=$(XEN_ARGS=''; . "$out/patched.inputs"; echo "$XEN_ARGS")

# boot NAME INPUTS PROCS SCENARIO...: one rig run into $out/NAME.
boot() {
	local name=$1 inputs=$2 n=$3
	shift 3
	log "boot '$name': $*"
	# norandmaps: see test-pool.sh; noread compares storms of two boots.
	if ! "$RIG_DIR/run.sh" --inputs "$inputs" --procs "$n" \
		--xen-args "$xen_args" --dom0-args norandmaps \
		--out "$out/$name" "$@" >/dev/null; then
		test_fail "the '$name' boot failed (see $out/$name/console.log)"
		return 1
	fi
}

# window_field DIR TAG POINT KEY: a counter from the window's readings.
window_field() {
	grep -a "IOSUP-XENWIN $2 $3 " "$1/console.log" | tail -n1 |
		tr ' \r' '\n\n' | awk -F= -v k="$4" '$1 == k { print $2 }'
}

# dom0_did DIR: dom0's VT-d domain id, from QEMU's trace: the domain of the
# page- and domain-selective invalidations (dom0 is the only domain with
# DMA remapping in the rig; more than one id means that no longer holds).
dom0_did() {
	local ids
	ids=$(grep -aoE 'vtd_inv_desc_iotlb_(pages|domain) .* domain 0x[0-9a-f]+' "$1/trace.log" |
		awk '{ print $NF }' | sort -u)
	[ "$(wc -l <<<"$ids")" -eq 1 ] && [ -n "$ids" ] || {
		echo "dom0_did: expected one VT-d domain id in $1/trace.log, found: $(echo $ids)" >&2
		return 1
	}
	printf '%d\n' "$ids"
}

check_exact() {
	local dir=$out/read did tag
	did=$(dom0_did "$dir") || { test_fail "exact: cannot tell dom0's VT-d domain id"; return; }
	"$SRC_ROOT/build/rig/tests/iosup-vtd-phases" -d "$did" "$dir/console.log" \
		"$dir/trace.log" >"$dir/results-dom0.tsv" ||
		{ test_fail "exact: iosup-vtd-phases failed"; return; }
	printf '\nexact: dom0 is VT-d domain %d; %d processes per storm\n' "$did" "$exact_procs"
	printf '%-12s %10s %10s %6s %12s %12s %10s %10s %10s %10s %10s\n' phase counters qemu match \
		unmaps/proc maps/proc psi/proc dsi:ctr dsi:qemu dev:ctr dev:qemu
	for tag in xc-forkexit xc-forkexec; do
		local a b c d qemu qdsi qdev dsi dev lo hi unm map k
		for k in iotlb_psi iotlb_dsi pt_unmaps pt_maps dev_iotlb; do
			for p in A B C D; do
				local v
				v=$(window_field "$dir" "$tag" "$p" "$k")
				[[ $v =~ ^[0-9]+$ ]] || { test_fail "exact: no $k at $p of $tag in the console"; return; }
				printf -v "w_${k}_$p" '%s' "$v"
			done
		done
		a=$w_iotlb_psi_A b=$w_iotlb_psi_B c=$w_iotlb_psi_C d=$w_iotlb_psi_D
		lo=$((c - b)) hi=$((d - a))
		qemu=$(awk -F'\t' -v p="$tag" '$1 == p { print $4 }' "$dir/results-dom0.tsv")
		qdsi=$(awk -F'\t' -v p="$tag" '$1 == p { print $6 }' "$dir/results-dom0.tsv")
		qdev=$(cell "$dir/results-dom0.tsv" "$tag" dev_iotlb) || qdev=''
		[[ $qdev =~ ^[0-9]+$ ]] || { test_fail "exact: no dev_iotlb count for $tag in QEMU's results"; return; }
		[ -n "$qemu" ] || { test_fail "exact: no phase $tag in QEMU's results"; return; }
		dsi=$((w_iotlb_dsi_C - w_iotlb_dsi_B))
		dev=$((w_dev_iotlb_C - w_dev_iotlb_B))
		unm=$((w_pt_unmaps_C - w_pt_unmaps_B))
		map=$((w_pt_maps_C - w_pt_maps_B))
		printf '%-12s %10d %10d %6s %12.2f %12.2f %10.2f %10d %10s %10d %10s\n' "$tag" "$lo" "$qemu" \
			"$([ "$lo" -eq "$qemu" ] && echo yes || echo NO)" \
			"$(awk -v x="$unm" -v n="$exact_procs" 'BEGIN { print x / n }')" \
			"$(awk -v x="$map" -v n="$exact_procs" 'BEGIN { print x / n }')" \
			"$(awk -v x="$lo" -v n="$exact_procs" 'BEGIN { print x / n }')" "$dsi" "$qdsi" \
			"$dev" "$qdev"
		[ "$dev" -gt 0 ] ||
			test_fail "exact: $tag: no device-IOTLB invalidation counted: ATS is not in use (is 'ATS is enabled' in the console?)"
		if [ "$w_dev_iotlb_A" -eq "$w_dev_iotlb_B" ] && [ "$w_dev_iotlb_C" -eq "$w_dev_iotlb_D" ]; then
			[ "$dev" -eq "$qdev" ] ||
				test_fail "exact: $tag: counters say $dev device-IOTLB invalidations, QEMU saw $qdev"
		else
			[ "$qdev" -ge "$dev" ] && [ "$qdev" -le $((w_dev_iotlb_D - w_dev_iotlb_A)) ] ||
				test_fail "exact: $tag: QEMU saw $qdev device-IOTLB invalidations, outside the counters' [$dev, $((w_dev_iotlb_D - w_dev_iotlb_A))]"
		fi
		if [ "$a" -eq "$b" ] && [ "$c" -eq "$d" ]; then
			# Both marks fell in a quiet stretch: the windows are the same.
			[ "$lo" -eq "$qemu" ] ||
				test_fail "exact: $tag: counters say $lo page-selective invalidations, QEMU saw $qemu"
			[ "$dsi" -eq "$qdsi" ] ||
				test_fail "exact: $tag: counters say $dsi domain-selective invalidations, QEMU saw $qdsi"
		else
			# Something flushed next to a mark, so where exactly the host
			# stamped it decides which side those flushes fall on.
			echo "exact: $tag: $((b - a)) flushes next to the begin mark, $((d - c)) next to the end mark; QEMU must lie in [$lo, $hi]"
			[ "$qemu" -ge "$lo" ] && [ "$qemu" -le "$hi" ] ||
				test_fail "exact: $tag: QEMU saw $qemu, outside the counters' [$lo, $hi]"
		fi
		[ "$unm" -gt 0 ] || test_fail "exact: $tag: no type-change unmaps counted"
	done
}

check_noread() {
	local p s t
	printf '\nnoread: page-selective invalidations per process, counters never read\n'
	printf '%-10s %8s %8s\n' phase patched stock
	for p in forkexit forkexec; do
		s=$(tsv "$out/patched" "$p" pages_per_proc) || { test_fail "noread: no $p in the patched run"; continue; }
		t=$(tsv "$out/stock" "$p" pages_per_proc) || { test_fail "noread: no $p in the stock run"; continue; }
		printf '%-10s %8s %8s\n' "$p" "$s" "$t"
		within "$s" "$t" "$NOREAD_TOLERANCE" ||
			test_fail "noread: $p: patched $s vs stock $t per process (tolerance $NOREAD_TOLERANCE)"
	done
}

check_errors() {
	local dir=$out/read line
	printf '\nerrors:\n'
	# The guest's lines, as the scenario printed them.
	grep -aE '^[0-9.]+ (ok|FAIL|skip) ' "$dir/console.log" | cut -d' ' -f2- | sed 's/^/  /'
	grep -aqE '^[0-9.]+ FAIL ' "$dir/console.log" && test_fail "errors: a guest-side case failed"
	grep -aqE '^[0-9.]+ errors: 0 failed' "$dir/console.log" ||
		test_fail "errors: the guest's error cases did not all run"
	grep -aqE '^[0-9.]+ ok   stock hypervisor:' "$out/stock/console.log" &&
		echo "  ok   stock hypervisor: 'this hypervisor was built without the iosup counters'" ||
		test_fail "errors: the reader did not recognise the stock hypervisor"
	# The host itself is no Xen dom0 (where this runs as one, skip).
	if [ ! -e /dev/xen/privcmd ] && [ ! -e /proc/xen/privcmd ]; then
		line=$("$SRC_ROOT/build/rig/daemon/iosup-xen-counters" 2>&1) && line="exit 0: $line"
		if grep -qF 'not running on Xen' <<<"$line"; then
			echo "  ok   off Xen: $line"
		else
			test_fail "errors: off Xen the reader said: $line"
		fi
	fi
}

check_amd() {
	local dir=$out/amd tag p k v lo hi qemu
	printf '\namd: the counters on an AMD IOMMU, dom0; %d processes per storm\n' "$exact_procs"
	grep -aqF 'AMD-Vi: IOMMU 0 Enabled' "$dir/console.log" ||
		{ test_fail "amd: Xen did not enable the AMD IOMMU"; return; }
	"$SRC_ROOT/build/rig/tests/iosup-vtd-phases" -d 0 "$dir/console.log" \
		"$dir/trace.log" >"$dir/results-dom0.tsv" ||
		{ test_fail "amd: iosup-vtd-phases failed"; return; }
	printf '%-12s %10s %10s %6s %10s\n' phase counters qemu match per-proc
	for tag in xc-forkexit xc-forkexec; do
		for k in iotlb_psi iotlb_dsi; do
			for p in A B C D; do
				v=$(window_field "$dir" "$tag" "$p" "$k")
				[[ $v =~ ^[0-9]+$ ]] || { test_fail "amd: no $k at $p of $tag in the console"; return; }
				printf -v "a_${k}_$p" '%s' "$v"
			done
		done
		# Both granularities: QEMU's command does not tell them apart.
		lo=$((a_iotlb_psi_C + a_iotlb_dsi_C - a_iotlb_psi_B - a_iotlb_dsi_B))
		hi=$((a_iotlb_psi_D + a_iotlb_dsi_D - a_iotlb_psi_A - a_iotlb_dsi_A))
		qemu=$(cell "$dir/results-dom0.tsv" "$tag" amdvi_pages) || qemu=''
		[[ $qemu =~ ^[0-9]+$ ]] || { test_fail "amd: no amdvi_pages count for $tag in QEMU's results"; return; }
		printf '%-12s %10d %10d %6s %10.2f\n' "$tag" "$lo" "$qemu" \
			"$([ "$lo" -eq "$qemu" ] && echo yes || echo NO)" \
			"$(awk -v x="$lo" -v n="$exact_procs" 'BEGIN { print x / n }')"
		[ "$lo" -gt 0 ] || test_fail "amd: $tag: no invalidation counted: is dom0 strict on the AMD IOMMU?"
		if [ "$lo" -eq "$hi" ]; then
			[ "$lo" -eq "$qemu" ] ||
				test_fail "amd: $tag: counters say $lo page invalidations, QEMU saw $qemu"
		else
			[ "$qemu" -ge "$lo" ] && [ "$qemu" -le "$hi" ] ||
				test_fail "amd: $tag: QEMU saw $qemu, outside the counters' [$lo, $hi]"
		fi
	done
}

# Xen's line for the refusal (xen/xsm/flask/avc.c): the permission, the
# calling domain and its type, the target and the class.
FLASK_DENIAL='avc:  denied  { perfcontrol } for current=d0 scontext=system_u:system_r:dom0_t tcontext=system_u:system_r:xen_t tclass=xen'

check_flask() {
	local dir=$out/flask n
	printf '\nflask:\n'
	[ -f "$dir/console.log" ] || { test_fail "flask: no boot"; return; }
	grep -aE '^[0-9.]+ (ok|FAIL) ' "$dir/console.log" | cut -d' ' -f2- | sed 's/^/  /'
	grep -aqF 'Flask:  Starting in enforcing mode.' "$dir/console.log" ||
		test_fail "flask: Xen did not start FLASK enforcing"
	grep -aqE '^[0-9.]+ FAIL ' "$dir/console.log" && test_fail "flask: a guest-side step failed"
	grep -aqE '^[0-9.]+ xenflask: 0' "$dir/console.log" ||
		test_fail "flask: the guest's steps did not all run"
	n=$(grep -acF "$FLASK_DENIAL" "$dir/console.log" || true)
	if [ "$n" -ge 1 ]; then
		echo "  ok   Xen refused it $n time(s): $FLASK_DENIAL"
	else
		test_fail "flask: no avc denial of perfcontrol to dom0 in Xen's console"
	fi
}

check_bench() {
	local p
	printf '\nbench: latency in dom0 under QEMU TCG, microseconds (one boot each)\n'
	printf '%-10s %12s %12s %12s %12s\n' phase patched-mean stock-mean patched-p99 stock-p99
	for p in forkexit forkexec; do
		printf '%-10s %12s %12s %12s %12s\n' "$p" \
			"$(tsv "$out/patched" "$p" mean_us || echo -)" \
			"$(tsv "$out/stock" "$p" mean_us || echo -)" \
			"$(tsv "$out/patched" "$p" p99_us || echo -)" \
			"$(tsv "$out/stock" "$p" p99_us || echo -)"
	done
}

if wants amd; then
	boot amd "$out/patched.inputs" "$exact_procs" --iommu amd xencounters || true
fi
if wants flask; then
	if phase flask-xen "$SRC_ROOT/kshim/xen/build.sh" --flavour flask >"$out/flask.inputs"; then
		# The rig's arguments, then FLASK's; the policy is built in.
		"$RIG_DIR/run.sh" --inputs "$out/flask.inputs" --procs "$procs" \
			--xen-args "$xen_args flask=enforcing" --out "$out/flask" xenflask >/dev/null ||
			test_fail "the 'flask' boot failed (see $out/flask/console.log)"
	else
		test_fail "kshim/xen/build.sh --flavour flask failed"
	fi
fi
if wants exact || wants errors; then
	boot read "$out/patched.inputs" "$exact_procs" --ats xencounters xenerrors || true
fi
if wants noread || wants bench; then
	boot patched "$out/patched.inputs" "$procs" forkexit forkexec || true
fi
if wants noread || wants bench || wants errors; then
	boot stock "$out/stock.inputs" "$procs" forkexit forkexec xenabsent || true
fi

if [ $failed -eq 0 ]; then
	! wants exact || check_exact
	! wants noread || check_noread
	! wants errors || check_errors
	! wants amd || check_amd
	! wants flask || check_flask
	! wants bench || check_bench
fi
echo
test_finish
