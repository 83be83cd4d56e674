# Bad input to the counters' sysctl, each asserting its errno, and the
# reader's words for the errors a person meets.
. /lib/rig/guest.sh
fail=0
iosup-xen-test errors || fail=1
expect_cli 0 'domid=0 ' iosup-xen-counters --raw 0
expect_cli 0 'domid=xen ' iosup-xen-counters --raw xen
expect_cli 1 'no domain 31000' iosup-xen-counters 31000
expect_cli 2 'is not a domain id' iosup-xen-counters 32752
exit $fail
