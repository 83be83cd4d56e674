# Helpers for dom0's /init and the scenarios, sourced from /lib/rig/guest.sh.
# shellcheck shell=sh

# mark WORDS...: a line the host's runner waits for and lines phases up by.
# Level 2 (crit) so that it reaches the console whatever the loglevel.
mark() { echo "<2>IOSUP-MARK $*" >/dev/kmsg; }

# A second of nothing on each side of a phase boundary: the host stamps a
# mark a few milliseconds after it was written.
settle() { sleep 1; }

# phase_begin NAME [procs=N], phase_end NAME: delimit a phase by hand (the
# benchmark marks its own with -m).
phase_begin() { settle; mark "begin $*"; settle; }
phase_end() { settle; mark "end $1"; settle; }

# Free memory, kB: MemFree plus the freed pages the per-CPU lists hold,
# which MemFree leaves out (after freeing a few thousand pages they can
# hold a megabyte).
mem_free() {
	echo $(( $(awk '/^MemFree:/ { print $2 }' /proc/meminfo) +
		$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo) * 4 ))
}
# Xen's free memory, MiB.
xen_free() { xl info 2>/dev/null | awk '/^free_memory/ { print $3 }'; }
# Memory as it is with nothing cached that could be dropped.
quiesce() { sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1; }

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
