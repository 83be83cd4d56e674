# Device DMA under process churn. The emulated NVMe disk sits behind the
# IOMMU: each read is translated by the VT-d model, which counts IOTLB hits
# and misses (walks). The same reads run once alone and once while processes
# fork and exit, so the misses the churn's invalidations cause show.
. /lib/rig/guest.sh
dev=/dev/nvme0n1
rounds=${DMA_ROUNDS:-8}
[ -b "$dev" ] || { echo "dma: $dev is missing" >&2; exit 1; }

reads() {
	i=0
	while [ $i -lt "$rounds" ]; do
		dd if="$dev" of=/dev/null bs=256k count=64 iflag=direct 2>/dev/null ||
			return 1
		i=$((i + 1))
	done
}

phase_begin dma-quiet
reads || exit 1
phase_end dma-quiet

iosup-lat-proc -n 1000000 -w 0 fork-exit >/dev/null &
churn=$!
phase_begin dma-churn
reads || { kill $churn; exit 1; }
phase_end dma-churn
kill $churn
wait $churn 2>/dev/null
exit 0
