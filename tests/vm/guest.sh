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
