# On a hypervisor without the counters the reader says so, in those words.
text=$(iosup-xen-counters 2>&1)
status=$?
case $status:$text in
1:*'this hypervisor was built without the iosup counters'*)
	echo "ok   stock hypervisor: $text"
	exit 0 ;;
esac
echo "FAIL stock hypervisor: expected exit 1 and 'built without the iosup counters', got exit $status: $text"
exit 1
