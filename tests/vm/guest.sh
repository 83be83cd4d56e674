# Helpers for dom0's /init and the scenarios, sourced from /lib/rig/guest.sh.
# shellcheck shell=sh

# mark WORDS...: a line the host's runner waits for and lines phases up by.
# Level 2 (crit) so that it reaches the console whatever the loglevel.
mark() { echo "<2>IOSUP-MARK $*" >/dev/kmsg; }

# param NAME: the value of NAME= on the kernel command line.
param() {
	for word in $(cat /proc/cmdline); do
		case $word in "$1="*) echo "${word#*=}" ;; esac
	done
}

# expect_cli STATUS TEXT CMD...: runs CMD, which must exit with STATUS and
# say TEXT (stdout and stderr); prints "ok" or "FAIL" with what it got, and
# sets fail=1 on a failure.
expect_cli() {
	want_status=$1 want_text=$2
	shift 2
	text=$("$@" 2>&1)
	status=$?
	case $status:$text in
	"$want_status:"*"$want_text"*)
		echo "ok   $*: exit $status, '$want_text'" ;;
	*)
		echo "FAIL $*: expected exit $want_status and '$want_text', got exit $status: $text"
		fail=1 ;;
	esac
}

# A second of nothing on each side of a phase boundary: the host stamps a
# mark a few milliseconds after it was written.
settle() { sleep 1; }

# mark_probe: when IOSUP_MARK_PROBE names a disk behind the IOMMU, one 4 KiB
# O_DIRECT read of it next to a mark, outside the phase (dd is a process:
# its page tables must not count in the phase): the read's DMA puts an event into
# QEMU's trace by which the host proves that the console's stamps and the
# trace line up (iosup-vtd-phases -a; iosup-lat-proc -m does the same).
# Says so and returns 1 if the read fails.
mark_probe() {
	[ -n "${IOSUP_MARK_PROBE:-}" ] || return 0
	dd if="$IOSUP_MARK_PROBE" of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null ||
		{ echo "mark_probe: cannot read $IOSUP_MARK_PROBE with O_DIRECT" >&2; return 1; }
}

# phase_begin NAME [procs=N], phase_end NAME: delimit a phase by hand (the
# benchmark marks its own with -m). 1 if the probe read failed (the host's
# analysis fails such a run anyway).
phase_begin() { settle; _probe=0; mark_probe || _probe=1; mark "begin $*"; settle; return $_probe; }
phase_end() { settle; mark "end $1"; _probe=0; mark_probe || _probe=1; settle; return $_probe; }

# mem_reading: two figures, kB, read in one pass (every process started in
# between moves pages on and off the per-CPU lists):
#   free      MemFree plus the freed pages the per-CPU lists hold, which
#             MemFree leaves out (after freeing a few thousand pages they
#             can hold a megabyte)
#   unpooled  free plus what /proc/meminfo accounts to an owner other than
#             a page-table pool: the page cache, anonymous pages, slabs,
#             per-CPU areas and vmalloc (which holds the kernel stacks, in
#             use and cached for the next fork). A page a pool failed to
#             give back is in none of these, while the kernel keeping more
#             in its caches after a storm only moves pages from free into
#             them and leaves the sum alone.
# The per-CPU vmstat deltas are folded in first (vm.stat_refresh), or
# MemFree can lag by what each CPU has not yet folded in.
mem_reading() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk 'FILENAME == "/proc/zoneinfo" { if ($1 == "count:") pcp += $2; next }
		$1 == "MemFree:" { free = $2 }
		$1 ~ /^(Buffers|Cached|AnonPages|Slab|Percpu|VmallocUsed):$/ { owned += $2 }
		END { f = free + pcp * 4; print f, f + owned }' /proc/zoneinfo /proc/meminfo
}
# mem_sample: mem_reading's two figures, each the median of five readings
# a fifth of a second apart.
mem_sample() {
	for _i in 1 2 3 4 5; do mem_reading; sleep 0.2; done |
		awk '{ f[NR] = $1; u[NR] = $2 }
			function median(a,   i, j, t) {
				for (i = 1; i <= 5; i++) for (j = i + 1; j <= 5; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return a[3]
			}
			END { print median(f), median(u) }'
}
# Free memory, kB (mem_reading's first figure).
mem_free() { mem_reading | cut -d' ' -f1; }
# mem_usable: kB of free memory a user allocation can take before it must
# reclaim: in each zone, what is free above its min watermark and above
# the reserve it keeps from allocations that could have used a higher zone
# (/proc/zoneinfo's protection). MemFree counts both, MemAvailable counts
# tmpfs pages (the initramfs) as page cache it could drop; asking for more
# than this plus what reclaim can find is asking for the OOM killer.
mem_usable() {
	awk '$1 == "Node" { z++ }
		$1 == "pages" && $2 == "free" { free[z] = $3 }
		$1 == "min" { min[z] = $2 }
		$1 == "protection:" {
			gsub(/[(),]/, " ")
			for (i = 2; i <= NF; i++) if ($i > prot[z]) prot[z] = $i
		}
		END {
			for (i = 1; i <= z; i++) {
				u = free[i] - min[i] - prot[i]
				if (u > 0) n += u
			}
			print n * 4
		}' /proc/zoneinfo
}
# stress_bytes KB: what stress-ng --vm may ask for so that reclaim must
# find KB kB: usable memory, less stress-ng's own (its two processes held
# 9 MB in an OOM report, beside the worker's page tables, one page per
# 2 MB asked for), plus KB.
stress_bytes() {
	_u=$(mem_usable)
	echo $(( (_u - 9216 + $1) * 512 / 513 ))
}
# Xen's free memory, MiB.
xen_free() { xl info 2>/dev/null | awk '/^free_memory/ { print $3 }'; }
# mem_baseline, then mem_report NAME HELD_PAGES after rmmod: the lines of
# /proc/meminfo that changed in between (what explains a shortfall), and
# the IOSUP-MEM line the host's mem_check (lib.sh) reads:
#   IOSUP-MEM before_kb=KB after_kb=KB unpooled_before_kb=KB unpooled_after_kb=KB
#             held_pages=PAGES xen_before_mb=MB xen_after_mb=MB
mem_baseline() {
	_mem_before=$(mem_sample) _xen_before=$(xen_free)
	cp /proc/meminfo /tmp/meminfo.before
}
mem_report() {
	echo "$1: meminfo after rmmod: $(awk 'NR == FNR { was[$1] = $2; next }
		$1 in was && was[$1] != $2 { printf "%s%s->%s ", $1, was[$1], $2 }' \
		/tmp/meminfo.before /proc/meminfo)"
	_mem_after=$(mem_sample)
	echo "IOSUP-MEM before_kb=${_mem_before% *} after_kb=${_mem_after% *}" \
		"unpooled_before_kb=${_mem_before#* } unpooled_after_kb=${_mem_after#* }" \
		"held_pages=$2 xen_before_mb=$_xen_before xen_after_mb=$(xen_free)"
}
# Memory as it is with nothing cached that could be dropped: the page and
# dentry caches, and the empty slabs SLUB keeps on its per-CPU partial
# lists (after a few hundred processes exit those hold half a megabyte,
# which drop_caches leaves alone).
quiesce() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for _f in /sys/kernel/slab/*/shrink; do echo 1 >"$_f"; done 2>/dev/null
	sleep 1
}

# start_iosupd LOG [ARGS...]: iosupd in the background, its stderr appended
# to LOG, its pid in $iosupd_pid; returns once it answers on its control
# socket (its first period is done), 1 (said) if it does not in 30 s.
start_iosupd() {
	_log=$1
	shift
	iosupd "$@" >>"$_log" 2>&1 &
	iosupd_pid=$!
	_i=0
	until iosupctl status >/dev/null 2>&1; do
		_i=$((_i + 1))
		if [ $_i -gt 30 ] || ! kill -0 "$iosupd_pid" 2>/dev/null; then
			echo "iosupd did not answer on its socket (log: $_log)" >&2
			cat "$_log" >&2
			return 1
		fi
		sleep 1
	done
}

# churn_for SECONDS [MODE]: iosup-lat-proc MODE (fork-exit) churn in the
# background for that long; its pid in $churn while it runs.
churn_for() {
	iosup-lat-proc -n 100000 -w 0 "${2:-fork-exit}" >/dev/null &
	churn=$!
	sleep "$1"
	kill "$churn"
	wait "$churn" 2>/dev/null
	churn=''
}
