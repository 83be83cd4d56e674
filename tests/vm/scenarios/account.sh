# The cost account's storms (tests/vm/test-account.sh): fork+exit,
# fork+execve and fork+/bin/sh -c, each counted by iosup-xen-account with
# Xen's perf counters and the IOMMU flush counters. Which configurations
# this boot measures it tells from itself:
#   strict, relaxed   a kernel without the pool (iosup.ko absent): the
#                     hypervisor's dom0-iommu option names the row
#   nopool, pool, iosupd
#                     the iosup kernel with iosup.ko in the initramfs: the
#                     storms without the module, then with it loaded at
#                     its defaults, then loaded at limit 0 with iosupd
#                     sizing it
# Every storm has a warm-up of its own first (outside the phase), so a row
# counts what a steady stream of such processes costs.
. /lib/rig/guest.sh
WARMUP=30
ko=/lib/modules/extra/iosup.ko

# storms CONFIG: the three storms, tagged CONFIG-WORKLOAD.
storms() {
	for w in fork-exit fork-exec fork-sh; do
		iosup-lat-proc -n "$WARMUP" -w 0 "$w" >/dev/null || return 1
		iosup-xen-account "$1-${w#fork-}" "$PROCS" "$w" || return 1
	done
}

if [ ! -f "$ko" ]; then
	cmdline=$(xl info | sed -n 's/^xen_commandline *: //p')
	[ -n "$cmdline" ] || { echo "account: no xen_commandline in xl info" >&2; exit 1; }
	case " $cmdline " in
	*" dom0-iommu=strict "*) config=strict ;;
	*) config=relaxed ;;
	esac
	storms "$config" || exit 1
	exit 0
fi

storms nopool || exit 1
insmod "$ko" || exit 1
storms pool || exit 1
cat /sys/module/iosup/parameters/stats
rmmod iosup || exit 1
insmod "$ko" limit_l1=0 limit_l2=0 limit_l3=0 limit_l4=0 || exit 1
start_iosupd /tmp/iosupd.log || exit 1
# Three control periods (2 s each) of fork+exec churn, as daemon-load.
churn_for 6 fork-exec
storms iosupd || exit 1
iosupctl status
kill "$iosupd_pid" && wait "$iosupd_pid"
