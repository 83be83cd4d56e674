# Writes a kernel warning's first line to the kernel log and ends well: the
# rig must still fail the run (tests/vm/test-splat.sh).
. /lib/rig/guest.sh
echo "<4>WARNING: CPU: 0 PID: $$ at rig/splat.sh:1 a warning the rig must catch" >/dev/kmsg
exit 0
