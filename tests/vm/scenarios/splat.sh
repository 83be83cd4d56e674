# Writes a kernel warning's first line to the kernel log and ends well: the
# rig must still fail the run (tests/vm/test-splat.sh).
. /lib/rig/guest.sh
echo "<4>WARNING: CPU: 0 PID: $$ at rig/splat.sh:1 a warning the rig must catch" >/dev/kmsg
# As Xen's VT-d driver words a DMA fault (xen/drivers/passthrough/vtd/iommu.c)
echo "<4>(XEN) [VT-D]DMAR:[DMA Read] Request device [0000:00:04.0] fault addr 1000 (a fault the rig must catch)" >/dev/kmsg
exit 0
