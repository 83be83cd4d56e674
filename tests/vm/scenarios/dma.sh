# Device DMA under process churn. The emulated NVMe disk sits behind the
# IOMMU: each read is translated by the VT-d model, which counts IOTLB hits
# and misses (walks). A known pattern is written to the disk first; the same
# reads then run once alone and once while processes fork and exit, so the
# misses the churn's invalidations cause show, and every read is checked
# against the pattern: a translation gone wrong is wrong data, not only a
# count.
. /lib/rig/guest.sh
dev=/dev/nvme0n1
rounds=${DMA_ROUNDS:-8}
# 16 MiB: what one round reads (64 blocks of 256 KiB).
bytes=16777216
[ -b "$dev" ] || { echo "dma: $dev is missing" >&2; exit 1; }

# Not periodic in any power of two: a block read from the wrong place
# cannot match by chance.
seq 1 3000000 | head -c $bytes >/tmp/dma-pattern
[ "$(wc -c </tmp/dma-pattern)" -eq $bytes ] || { echo "dma: short pattern" >&2; exit 1; }
want=$(md5sum </tmp/dma-pattern | cut -d' ' -f1)
dd if=/tmp/dma-pattern of="$dev" bs=256k oflag=direct conv=fsync 2>/dev/null ||
	{ echo "dma: writing the pattern failed" >&2; exit 1; }

reads() {
	i=0
	while [ $i -lt "$rounds" ]; do
		got=$(dd if="$dev" bs=256k count=64 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		if [ "$got" != "$want" ]; then
			echo "dma: round $i read back $got, the pattern is $want" >&2
			return 1
		fi
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
echo "dma: $((rounds * 2)) reads of 16 MiB matched the pattern written"
exit 0
