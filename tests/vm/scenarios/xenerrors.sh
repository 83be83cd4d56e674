# Bad input to the counters' sysctl, each asserting its errno, and the
# reader's words for the errors a person meets.
fail=0
iosup-xen-test errors || fail=1

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
expect_cli 0 'domid=0 ' iosup-xen-counters --raw 0
expect_cli 0 'domid=xen ' iosup-xen-counters --raw xen
expect_cli 1 'no domain 31000' iosup-xen-counters 31000
expect_cli 2 'is not a domain id' iosup-xen-counters 32752
exit $fail
