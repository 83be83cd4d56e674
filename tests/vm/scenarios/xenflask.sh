# The counters' op under FLASK (kshim/xen/build.sh --flavour flask, booted
# with flask=enforcing): allowed to dom0 by Xen's default policy, which
# grants it xen:perfcontrol; refused once a policy without that permission
# is loaded; allowed again with the default one back. Each step prints
# "ok" or "FAIL" (expect_cli, guest.sh); the host also checks Xen's avc
# line for the refusal.
. /lib/rig/guest.sh
fail=0
# xl fails some commands (getenforce among them) without a config file;
# its defaults are what this needs.
mkdir -p /etc/xen
[ -f /etc/xen/xl.conf ] || : >/etc/xen/xl.conf

# xl getenforce exits with the mode's number: 1 is enforcing.
expect_cli 1 Enforcing xl getenforce
expect_cli 0 'domid=0 ' iosup-xen-counters --raw 0
expect_cli 0 '' xl loadpolicy /flask/policy-noperf.bin
expect_cli 1 'not privileged' iosup-xen-counters --raw 0
expect_cli 0 '' xl loadpolicy /flask/policy-default.bin
expect_cli 0 'domid=0 ' iosup-xen-counters --raw 0
echo "xenflask: $fail"
exit $fail
