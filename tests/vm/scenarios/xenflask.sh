# The counters' op under FLASK (kshim/xen/build.sh --flavour flask, booted
# with flask=enforcing): allowed to dom0 by Xen's default policy, which
# grants it xen:perfcontrol; refused once a policy without that permission
# is loaded; allowed again with the default one back. Each step prints
# "ok" or "FAIL"; the host also checks Xen's avc line for the refusal.
fail=0
# xl fails some commands (getenforce among them) without a config file;
# its defaults are what this needs.
mkdir -p /etc/xen
[ -f /etc/xen/xl.conf ] || : >/etc/xen/xl.conf

step() {
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

# xl getenforce exits with the mode's number: 1 is enforcing.
step 1 Enforcing xl getenforce
step 0 'domid=0 ' iosup-xen-counters --raw 0
step 0 '' xl loadpolicy /flask/policy-noperf.bin
step 1 'not privileged' iosup-xen-counters --raw 0
step 0 '' xl loadpolicy /flask/policy-default.bin
step 0 'domid=0 ' iosup-xen-counters --raw 0
echo "xenflask: $fail"
exit $fail
