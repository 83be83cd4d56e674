#!/usr/bin/env bash
# Boots real Xen with a PV dom0 under QEMU (TCG, emulated VT-d), runs the
# named scenarios in dom0, and counts QEMU's VT-d events per phase.
#
# usage: run.sh [options] SCENARIO...
#   --inputs FILE   shell assignments XEN_IMAGE, KERNEL_IMAGE, MODULES_DIR,
#                   KERNEL_RELEASE (neither of these two with --disk), and
#                   XEN_ARGS if that hypervisor needs more on its command
#                   line, RIG_FLASK_POLICIES if it is a FLASK one with
#                   policies to ship (default: stock Debian builds)
#   --relaxed       boot without dom0-iommu=strict (the control case)
#   --iommu vtd|amd the emulated IOMMU: QEMU's VT-d (default), or its AMD
#                   IOMMU (with interrupt remapping, without which Xen
#                   finds no IO-APIC in its IVRS), whose page invalidations
#                   are results' amdvi_pages; no alignment check there (see
#                   analyze below)
#   --ats           give dom0 a device with ATS (a virtio disk behind a PCIe
#                   root port, the one QEMU device that has it) on a VT-d
#                   with device-IOTLB support, boot Xen with ats=1, and
#                   trace the invalidation descriptors (results' dev_iotlb)
#   --procs N       processes per storm (default 1000)
#   --deadline S    seconds each scenario may take at most (default 3600);
#                   a scenario whose console stays silent for
#                   RIG_STALL_SECONDS (default 240) fails sooner, as hung
#   --out DIR       where the logs and results.tsv go (default: a new
#                   directory under /tmp/iosup-rig)
#   --extra-ko KO   ship a module in the initramfs (repeatable)
#   --xen-args A    appended to Xen's command line
#   --dom0-args A   appended to dom0's command line
#   --disk IMAGE    boot dom0 from IMAGE (debian-disk.sh), its first NVMe,
#                   under its own init (systemd) instead of the rig's
#                   initramfs; the image's rig driver runs the scenarios.
#                   No VT-d phase analysis: those scenarios check the
#                   service, not the counts. IMAGE is written to.
# Environment: RIG_DOMU=1 adds a second NVMe (0000:00:10.0) for a PV domU
# (the domu scenario), and ships the domU's kernel (this run's) and
# initramfs (domu-initramfs.sh) in dom0's.
# Prints results.tsv (one row per phase) on success. On any failure it says
# what was awaited, prints the console's last lines and exits non-zero.
# A boot retried for the known TCG stall (see boot below) is said, counted
# in the run's last line, and its kept console appended to IOSUP_RETRY_LOG
# when that names a file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

inputs='' relaxed=0 ats=0 iommu_model=vtd procs=1000 deadline=3600 out='' xen_args='' dom0_args='' disk=''
# The emulated CPU. Not "max": with it (less SMAP, which Xen's PV entry
# path trips on) and two dom0 vCPUs, processes in dom0 now and then start
# with corrupted state (their first TLS read returns another process's
# bytes) under concurrent fork/exec churn, on Debian's own kernel as much
# as on ours: 8 to 23 crashes a minute in a scenario that execs on one
# vCPU while the other forks. SandyBridge, Nehalem and Haswell-noTSX show
# none, nor does "max" with one dom0 vCPU. RIG_QEMU_CPU overrides it.
qemu_cpu=${RIG_QEMU_CPU:-Haswell-noTSX}
# Distinct VT-d domain ids the trace must name: dom0's alone until a domU
# with a passed-through device exists. RIG_VTD_DOMAINS overrides it.
vtd_domains=${RIG_VTD_DOMAINS:-1}
# A PV domU with a device passed through (scenarios/domu.sh): off unless
# RIG_DOMU=1, which adds its NVMe at this slot of the root bus.
domu=${RIG_DOMU:-0}
[[ $domu =~ ^[01]$ ]] || die "RIG_DOMU: '$domu' is not 0 or 1"
DOMU_PCI=0000:00:10.0
extra_ko=() scenarios=()
while [ $# -gt 0 ]; do
	case $1 in
	--inputs) inputs=$2; shift ;;
	--relaxed) relaxed=1 ;;
	--ats) ats=1 ;;
	--iommu) iommu_model=$2; shift ;;
	--procs) procs=$2; shift ;;
	--deadline) deadline=$2; shift ;;
	--out) out=$2; shift ;;
	--extra-ko) extra_ko+=("$2"); shift ;;
	--xen-args) xen_args=$2; shift ;;
	--dom0-args) dom0_args=$2; shift ;;
	--disk) disk=$2; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) scenarios+=("$1") ;;
	esac
	shift
done
[ ${#scenarios[@]} -gt 0 ] || die "name at least one scenario (see tests/vm/scenarios/)"
[[ $procs =~ ^[1-9][0-9]{0,6}$ ]] || die "--procs: '$procs' is not a count from 1 to 9999999"
[[ $deadline =~ ^[1-9][0-9]{0,5}$ ]] || die "--deadline: '$deadline' is not a number of seconds"
for s in "${scenarios[@]}"; do
	[ -f "$RIG_DIR/scenarios/$s.sh" ] || die "no scenario named '$s' in $RIG_DIR/scenarios"
done
[ -z "$disk" ] || [ -f "$disk" ] || die "--disk: no image at '$disk'"
case $iommu_model in
vtd | amd) ;;
*) die "--iommu: '$iommu_model' is not vtd or amd" ;;
esac
[ "$iommu_model" = vtd ] || [ "$ats" = 0 ] || die "--ats is for the VT-d rig only"
[ -z "$disk" ] || [ "$domu" = 0 ] || die "--disk and RIG_DOMU=1 do not go together"

if [ -z "$inputs" ]; then
	inputs=$(mktemp)
	phase stock-inputs "$RIG_DIR/stock-inputs.sh" >"$inputs"
fi
XEN_IMAGE='' KERNEL_IMAGE='' MODULES_DIR='' KERNEL_RELEASE='' XEN_ARGS=''
RIG_FLASK_POLICIES=''
# shellcheck disable=SC1090
. "$inputs"
# A FLASK hypervisor's policies, for the initramfs to ship.
[ -z "$RIG_FLASK_POLICIES" ] || export RIG_FLASK_POLICIES
# A disk brings its own modules (debian-disk.sh installs them).
needed=(XEN_IMAGE KERNEL_IMAGE)
[ -n "$disk" ] || needed+=(MODULES_DIR KERNEL_RELEASE)
for v in "${needed[@]}"; do
	[ -n "${!v}" ] || die "$inputs does not set $v"
done

# The project's programs, built plainly (no sanitizers) for the guest.
bin_build=$SRC_ROOT/build/rig
# Two rigs may run at once (scripts/test runs the soak beside the other
# tests): one builds, the other waits for it.
build_programs() {
	mkdir -p "$SRC_ROOT/build"
	(
		flock 8
		[ -f "$bin_build/build.ninja" ] ||
			meson setup --buildtype=release "$bin_build" "$SRC_ROOT" >/dev/null
		ninja -C "$bin_build" >/dev/null
	) 8>"$bin_build.lock"
}
initrd=''
if [ -z "$disk" ]; then
	phase build-programs build_programs
	if [ "$domu" = 1 ]; then
		RIG_DOMU_KERNEL=$KERNEL_IMAGE
		RIG_DOMU_INITRD=$(phase domu-initramfs "$RIG_DIR/domu-initramfs.sh" "$bin_build")
		export RIG_DOMU_KERNEL RIG_DOMU_INITRD
	fi
	initrd=$(phase initramfs "$RIG_DIR/initramfs.sh" "$MODULES_DIR" "$KERNEL_RELEASE" \
		"$bin_build" ${extra_ko[@]+"${extra_ko[@]}"})
fi

out=${out:-/tmp/iosup-rig/$(date +%Y%m%d-%H%M%S)-$$}
mkdir -p "$out"
console=$out/console.log trace=$out/trace.log
rm -f "$console" "$trace"
cat >"$out/events" <<'EVENTS'
vtd_inv_desc_iotlb_pages
vtd_inv_desc_iotlb_domain
vtd_inv_desc_iotlb_global
vtd_inv_desc_wait_sw
vtd_iotlb_page_hit
vtd_iotlb_page_update
EVENTS
# Every descriptor QEMU takes off the queue, of which the analysis counts
# the device-IOTLB ones: twice the trace, so only where they are wanted.
[ "$ats" = 0 ] || echo vtd_inv_desc >>"$out/events"
[ "$iommu_model" = vtd ] || printf '%s\n' amdvi_pages_inval amdvi_cache_update >>"$out/events"
# A disk behind the IOMMU: the device-DMA workload's (sparse, reads zeros),
# or dom0's root file system.
nvme0=$out/nvme.img
if [ -n "$disk" ]; then
	nvme0=$disk
else
	truncate -s 64M "$nvme0"
fi

iommu=''
[ $relaxed -eq 1 ] || iommu='dom0-iommu=strict'
# One physical CPU for Xen. Under QEMU's TCG with two, Xen now and then
# loses a wake-up early in dom0's boot: one CPU waits forever in
# on_selected_cpus() (time calibration) for the other, halted with
# interrupts enabled, and dom0 stalls in its swiotlb set-up. Debian's 4.17.5
# source did so in 4 boots of 4, its 4.17.7 binary in 3 of 8 on a loaded
# host; with maxcpus=1 none of 5 did. dom0 keeps two vCPUs. The counts per
# process are the same either way (9.0 per fork+exit).
xen_cmdline="console=com1 com1=115200,8n1 iommu=1,verbose $iommu loglvl=all guest_loglvl=all dom0_mem=1024M,max:1024M dom0_max_vcpus=2 maxcpus=1 $XEN_ARGS $xen_args"
scenario_list=$(IFS=,; echo "${scenarios[*]}")
dom0_cmdline="console=hvc0 rig_scenarios=$scenario_list rig_procs=$procs $dom0_args"
# The NVMe driver is built in and finds the namespace asynchronously.
[ -z "$disk" ] || dom0_cmdline+=" root=/dev/nvme0n1 rw rootwait"
# The ATS device: QEMU gives only virtio-pci an ATS capability, and only
# below a root port (on the root bus it is conventional PCI). The IOMMU's
# device-iotlb=on also puts the ATSR (all ports) in the DMAR that Xen needs.
ats_qemu=() iommu_dev=intel-iommu,intremap=on,caching-mode=off
[ "$iommu_model" = vtd ] || iommu_dev=amd-iommu,intremap=on
if [ "$ats" = 1 ]; then
	truncate -s 1M "$out/ats.img"
	iommu_dev+=,device-iotlb=on
	ats_qemu=(-device pcie-root-port,id=rp-ats,bus=pcie.0,chassis=1,slot=1
		-drive "file=$out/ats.img,if=none,id=ats0,format=raw,cache=unsafe"
		-device virtio-blk-pci,bus=rp-ats,drive=ats0,ats=on,iommu_platform=on,disable-legacy=on)
	xen_cmdline+=" ats=1"
fi
domu_qemu=()
if [ "$domu" = 1 ]; then
	truncate -s 64M "$out/nvme-domu.img"
	slot=${DOMU_PCI##*:00:}
	domu_qemu=(-drive "file=$out/nvme-domu.img,if=none,id=nvm1,format=raw,cache=unsafe"
		-device "nvme,serial=iosup1,drive=nvm1,addr=0x${slot%.0}")
	dom0_cmdline+=" rig_domu_pci=$DOMU_PCI"
fi

qemu_pid='' stamp_pid=''
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	[ -z "$stamp_pid" ] || wait "$stamp_pid" 2>/dev/null || true
	rm -f "$out/console.fifo"
}
trap cleanup EXIT

fail() {
	printf 'rig: FAILED: %s\n' "$*" >&2
	printf 'rig: last console lines (%s):\n' "$console" >&2
	tail -n 30 "$console" | cut -d' ' -f2- | sed 's/^/  | /' >&2
	exit 1
}

start_qemu() {
	rm -f "$out/console.fifo" "$trace"
	mkfifo "$out/console.fifo"
	# Commas inside -initrd's command line must be doubled.
	qemu-system-x86_64 \
		-machine q35,kernel-irqchip=split,accel=tcg -cpu "$qemu_cpu" \
		-m 2G -smp 2 \
		-device "$iommu_dev" \
		-drive "file=$nvme0,if=none,id=nvm0,format=raw,cache=unsafe" \
		-device nvme,serial=iosup0,drive=nvm0 \
		${ats_qemu[@]+"${ats_qemu[@]}"} \
		${domu_qemu[@]+"${domu_qemu[@]}"} \
		-display none -monitor none -serial stdio -no-reboot \
		-msg timestamp=on \
		-trace "events=$out/events,file=$trace" \
		-kernel "$XEN_IMAGE" -append "$xen_cmdline" \
		-initrd "$KERNEL_IMAGE ${dom0_cmdline//,/,,}${initrd:+,$initrd}" \
		</dev/null >"$out/console.fifo" 2>"$out/qemu.err" &
	qemu_pid=$!
	# Stamp each console line with the host's wall clock, the clock QEMU's
	# trace uses, so the two logs line up.
	while IFS= read -r line; do
		printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
	done <"$out/console.fifo" >"$console" &
	stamp_pid=$!
}

# On a loaded host, TCG sometimes leaves dom0 silent forever in early boot,
# on one vCPU, before any module or process exists; a fresh boot goes
# through. Two symptoms are known, each the last line before the silence:
#   "about to get started..." (written to Xen's console by the PV entry
#     code before the kernel's own console exists);
#   "Running RCU-tasks wait API self tests" (the debug flavour, before the
#     perf init that follows it within milliseconds in a good boot; only
#     "random: crng init done" may come after it, from an interrupt). Seen
#     twice in cold runs (CI's load), in test-daemon's and test-pool's
#     first boot of the debug kernel; the same kernel booted in every
#     other boot of those runs.
# These are retried, counted and said loudly, their consoles kept; a boot
# that stalls anywhere else, or once a scenario has started, fails the run:
# it is a bug of the kernel, the hypervisor or the rig, and retrying would
# hide it.
BOOT_ATTEMPTS=3
BOOT_DEADLINE=180
# A good boot prints its next line within seconds of either symptom (1.3 s
# and 3 ms in a debug boot here); this much silence after one is the stall,
# retried then rather than at BOOT_DEADLINE (a cold run lost 180 s a retry).
KNOWN_STALL_SILENCE=60
# Seconds from the mark "done" to QEMU's exit: the initramfs reboots at
# once, systemd first stops every service and unmounts.
EXIT_DEADLINE=30
if [ -n "$disk" ]; then
	# systemd brings up the whole system before the driver marks "ready".
	BOOT_DEADLINE=600
	EXIT_DEADLINE=180
fi
KNOWN_STALLS=('about to get started...' 'Running RCU-tasks wait API self tests')
# A scenario prints something at least every minute (the workloads'
# progress lines, marks); this much silence is a hang.
STALL_SECONDS=${RIG_STALL_SECONDS:-240}
[[ $STALL_SECONDS =~ ^[1-9][0-9]{0,4}$ ]] ||
	die "RIG_STALL_SECONDS: '$STALL_SECONDS' is not a number of seconds"
boot_retries=0

# stall_line: the console's last line, an interrupt's crng line aside.
stall_line() {
	grep -avF 'random: crng init done' "$console" | tail -n 1
}
# known_stall: that line is one of the known symptoms.
known_stall() {
	local last p
	last=$(stall_line)
	for p in "${KNOWN_STALLS[@]}"; do
		[[ $last == *"$p"* ]] && return 0
	done
	return 1
}

boot() {
	local attempt
	for attempt in $(seq 1 $BOOT_ATTEMPTS); do
		start_qemu
		await 'Xen version' 60 "Xen's banner"
		if await 'IOSUP-MARK ready' $BOOT_DEADLINE "dom0's init to bring up xenstored" soft; then
			break
		fi
		known_stall ||
			fail "dom0 did not reach its init in ${BOOT_DEADLINE}s, and not at a known TCG stall (the last line is not one of: $(printf "'%s' " "${KNOWN_STALLS[@]}"))"
		[ "$attempt" -lt $BOOT_ATTEMPTS ] ||
			fail "dom0 stalled at a known TCG stall $BOOT_ATTEMPTS times (last: '$(stall_line)')"
		boot_retries=$((boot_retries + 1))
		log "BOOT RETRY: dom0 stalled at a known TCG stall, '$(stall_line)' (attempt $attempt of $BOOT_ATTEMPTS; console kept as $out/console.stalled-$attempt.log); booting again"
		[ -z "${IOSUP_RETRY_LOG:-}" ] ||
			echo "$out/console.stalled-$attempt.log" >>"$IOSUP_RETRY_LOG"
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
		wait "$stamp_pid" 2>/dev/null || true
		mv "$console" "$out/console.stalled-$attempt.log"
	done
	local s
	for s in "${scenarios[@]}"; do
		await "IOSUP-MARK ran $s status=" "$deadline" "the end of scenario '$s'"
		grep -qF "IOSUP-MARK ran $s status=0" "$console" ||
			fail "scenario '$s' exited with $(grep -oE "IOSUP-MARK ran $s status=[0-9]+" "$console" | tail -n1)"
	done
	await 'IOSUP-MARK done' 60 "dom0's init to finish"
	# Xen restarts the machine when dom0 reboots; -no-reboot makes QEMU exit.
	local t=0
	while kill -0 "$qemu_pid" 2>/dev/null && [ $t -lt $((EXIT_DEADLINE * 2)) ]; do
		sleep 0.5
		t=$((t + 1))
	done
	if kill -0 "$qemu_pid" 2>/dev/null; then
		# systemd's orderly reboot (iosupd handing the pools back, the
		# disk unmounted) must finish: the next boot reads this disk.
		[ -z "$disk" ] || fail "dom0 did not reboot within ${EXIT_DEADLINE}s of its last scenario"
		kill "$qemu_pid"
	fi
	wait "$qemu_pid" || true
	qemu_pid=''
	wait "$stamp_pid" || true
	stamp_pid=''
}

# await TEXT SECONDS WHAT [soft]: wait for TEXT on the console, failing
# early on a crash or a failure mark. With "soft", a timeout returns 1, and
# so does KNOWN_STALL_SILENCE seconds of silence after a known stall.
await() {
	local text=$1 limit=$2 what=$3 soft=${4:-} start=$SECONDS
	local size=-1 grew=$SECONDS now
	while ! grep -qF -- "$text" "$console" 2>/dev/null; do
		now=$(stat -c %s "$console" 2>/dev/null || echo 0)
		[ "$now" = "$size" ] || { size=$now; grew=$SECONDS; }
		# Without "soft" (a scenario runs): silence means a hang, however
		# long the deadline; a slow scenario that prints goes on.
		if [ -z "$soft" ] && [ $((SECONDS - grew)) -ge "$STALL_SECONDS" ]; then
			fail "no console output for ${STALL_SECONDS}s while waiting for $what: hung"
		fi
		if grep -qE 'IOSUP-MARK fail|Kernel panic|\(XEN\) Panic on CPU|\(XEN\) \*\*\*\* ' "$console" 2>/dev/null; then
			fail "a crash or failure was reported while waiting for $what: $(grep -E 'IOSUP-MARK fail|Kernel panic|Panic on CPU' "$console" | head -n1 | cut -d' ' -f2-)"
		fi
		kill -0 "$qemu_pid" 2>/dev/null ||
			fail "QEMU exited while waiting for $what: $(tail -n 3 "$out/qemu.err" 2>/dev/null)"
		if [ -n "$soft" ] && [ $((SECONDS - grew)) -ge $KNOWN_STALL_SILENCE ] &&
			known_stall; then
			return 1
		fi
		if [ $((SECONDS - start)) -ge "$limit" ] && [ -n "$soft" ]; then
			return 1
		fi
		[ $((SECONDS - start)) -lt "$limit" ] ||
			fail "timed out after ${limit}s waiting for $what ('$text')"
		sleep 0.5
	done
}

# What the kernel or the hypervisor reports when something went wrong even
# though every scenario passed: a warning, a BUG, a lockdep or RCU splat, a
# corrupted list, a bad page, an IOMMU fault (Xen's VT-d driver: a DMA or an
# interrupt the remapping tables refused), the OOM killer called. Any of them
# fails the run.
SPLATS='\[VT-D\]DMAR:\[|\[VT-D\]INTR-REMAP: Request device|invoked oom-killer|WARNING: CPU|BUG: |kernel BUG at|Oops|general protection fault|Call Trace:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|Bad page state|segfault at|list_(add|del) corruption|multicall\(s\) failed|freed page table .* is not empty|\(XEN\) Xen (BUG|WARN) at|\(XEN\) Assertion'

# One report is not ours and is known: creating a domain, xenstored maps
# its ring through gntdev, and a lockdep kernel in dom0 reports the order
# of gntdev's locks (gntdev_ioctl copies to user under priv->lock,
# gntdev_mmap takes priv->lock under mmap_lock). With RIG_DOMU=1 that one
# report, from its "possible circular locking dependency" line to the end
# of its stack, is said and left out of the check; lockdep reports one
# dependency a boot and then stops, so dom0's lock checking ends there (a
# domU's own kernel still reports, and its lines are checked).
KNOWN_GNTDEV_SPLAT='possible circular locking dependency detected'
# The second is the domU's: when dom0 destroys it while it runs, or
# detaches its device (before saving it), its
# pcifront tears the root bus down and removes the bus device twice
# (pcifront_free_roots(), upstream 6.1), which sysfs reports as a warning.
# That one report of a domU line, from its "sysfs group" line to the end of
# its stack, and nothing in between from another console, is said and left
# out of the check too.
KNOWN_PCIFRONT_SPLAT="sysfs group 'power' not found for kobject"

# splat_text: the console the check reads.
splat_text() {
	if [ "$domu" != 1 ]; then
		cat "$console"
		return
	fi
	awk -v start="$KNOWN_GNTDEV_SPLAT" -v pcifront="$KNOWN_PCIFRONT_SPLAT" \
		-v known="$out/known-splats" '
		# A buffered report: its lines joined, and printed unless dropped.
		function joined(b, k,   i, t) {
			for (i = 1; i <= k; i++) t = t "\n" b[i]
			return t
		}
		function emit(b, k, drop,   i) {
			for (i = 1; i <= k; i++) if (!drop) print b[i]
		}
		# The domU report: its own lines buffered, the others passed on.
		!pn && index($0, pcifront) && match($0, /domu-[a-z0-9]*\| /) {
			pfx = substr($0, RSTART, RLENGTH); pn = 1; pbuf[1] = $0; next
		}
		pn && index($0, pfx) {
			pbuf[++pn] = $0
			if (index($0, "</TASK>") || pn > 80) {
				t = joined(pbuf, pn)
				drop = pn <= 80 && t ~ /WARNING: CPU: [0-9]+ PID: [0-9]+ at fs\/sysfs\/group\.c/ &&
				    t ~ /pcifront_free_roots\+/ && t ~ /xenbus_dev_remove\+/
				if (drop)
					print "pcifront: " pbuf[1] >known
				emit(pbuf, pn, drop)
				pn = 0
			}
			next
		}
		!n && index($0, start) && $0 !~ /domu-[a-z0-9]*\| / { n = 1; buf[1] = $0; next }
		n {
			buf[++n] = $0
			if (index($0, "</TASK>") || n > 150) {
				t = joined(buf, n)
				drop = n <= 150 && t ~ /xenstored\/[0-9]+ is trying to acquire lock/ &&
				    t ~ /gntdev_mmap\+/ && t ~ /gntdev_ioctl\+/
				if (drop)
					print buf[1] >known
				emit(buf, n, drop)
				n = 0
			}
			next
		}
		{ print }
		END { emit(buf, n, 0); emit(pbuf, pn, 0) }' "$console"
}

no_splats() {
	local found
	found=$(splat_text | grep -aE "$SPLATS" | head -n 20 | cut -d' ' -f2-) || true
	local gntdev pcifront
	gntdev=$(grep -vc '^pcifront: ' "$out/known-splats" 2>/dev/null) || true
	pcifront=$(grep -c '^pcifront: ' "$out/known-splats" 2>/dev/null) || true
	[ "${gntdev:-0}" -eq 0 ] ||
		log "known report left out of the splat check: lockdep on gntdev's locks (xenstored mapping a new domain's ring), $gntdev time(s)"
	[ "${pcifront:-0}" -eq 0 ] ||
		log "known report left out of the splat check: the domU's pcifront removing its root bus twice when destroyed or its device detached, $pcifront time(s)"
	[ -z "$found" ] || fail "the console reports a kernel or hypervisor problem:
$found"
}

# Every run says how many boots it retried, so a summary can count them.
report_retries() { log "boot retries: $boot_retries"; }
trap 'report_retries; cleanup' EXIT
log "booting: xen=$XEN_IMAGE kernel=$KERNEL_IMAGE scenarios=$scenario_list iommu=${iommu:-relaxed} out=$out"
phase "boot+scenarios" boot
no_splats
# -a: each mark must have the DMA of dom0's probe read (IOSUP_MARK_PROBE)
# next to it in the trace, which proves the two logs line up; -n: the VT-d
# domain ids the trace names must be the ones expected.
[ -z "$disk" ] || exit 0
# The AMD IOMMU's trace names the domain of a table walk but not of an
# IOTLB hit, so the probe reads' DMA next to a mark is not reliably dom0's
# there: no alignment check (the counters' test brackets each mark with
# readings on both sides instead).
align=-a
[ "$iommu_model" = vtd ] || align=''
phase analyze "$bin_build/tests/iosup-vtd-phases" $align -n "$vtd_domains" "$console" "$trace" >"$out/results.tsv"
cat "$out/results.tsv"
