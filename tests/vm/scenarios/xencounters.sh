# The patched hypervisor's flush counters against QEMU's trace: a fork+exit
# and a fork+exec storm, each in a phase whose counter readings bracket its
# marks (iosup-xen-test window), and the counters printed before and after.
iosup-xen-counters || exit 1
iosup-xen-test window xc-forkexit "$PROCS" fork-exit || exit 1
iosup-xen-test window xc-forkexec "$PROCS" fork-exec || exit 1
iosup-xen-counters --raw || exit 1
