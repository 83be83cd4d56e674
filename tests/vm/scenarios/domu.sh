# A PV domU started by dom0, twice: first with no device, then with the
# second NVMe (rig_domu_pci= on dom0's command line, run.sh with RIG_DOMU=1)
# passed through. Each runs domu/init: a fork+exit and a fork+exec storm
# between marks. Its console reaches the rig's console through xenconsoled
# and "xl console", each line prefixed "domu-TAG| "; at each of its begin
# and end marks dom0 reads its own disk (the alignment probe, see
# mark_probe) and, on a hypervisor with the iosup counters, the domU's
# counters (an IOSUP-DOMUXEN line).
. /lib/rig/guest.sh

param() {
	for word in $(cat /proc/cmdline); do
		case $word in "$1="*) echo "${word#*=}" ;; esac
	done
}

# How long a domU may take from "xl create" to its domain's end.
DOMU_DEADLINE=900

bdf=$(param rig_domu_pci)
[ -n "$bdf" ] || { echo "domu: no rig_domu_pci= on dom0's command line (run.sh with RIG_DOMU=1)"; exit 1; }
: "${PROCS:=300}"

# xenconsole (xl console) locks /var/lock/xenconsole.DOMID; xl says so
# when it has no xl.conf (the defaults are what the rig wants).
mkdir -p /var/log/xen/console /var/lib/xen /run/xen /var/lock /etc/xen
: >/etc/xen/xl.conf
# libxl waits for xenconsoled to take the console; without it the domain
# is destroyed at creation.
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
	--log-dir=/var/log/xen/console || { echo "domu: xenconsoled failed"; exit 1; }
insmod /lib/modules/domu/xen-pciback.ko || { echo "domu: insmod xen-pciback failed"; exit 1; }
xl pci-assignable-add "$bdf" || { echo "domu: xl pci-assignable-add $bdf failed"; exit 1; }
xl pci-assignable-list | grep -q "^$bdf" ||
	{ echo "domu: $bdf is not in 'xl pci-assignable-list': $(xl pci-assignable-list)"; exit 1; }
echo "domu: $bdf assignable"

# forward TAG DOMID: the domU's console lines from stdin onto dom0's,
# prefixed; the probe read and the counters at each of its marks.
forward() {
	cr=$(printf '\r')
	while IFS= read -r line; do
		line=${line%"$cr"}
		echo "domu-$1| $line" >/dev/console
		case $line in
		*"IOSUP-MARK begin "* | *"IOSUP-MARK end "*)
			mark_probe
			what=${line#*IOSUP-MARK }
			what=${what%% procs=*}
			c=$(iosup-xen-counters --raw "$2" 2>/dev/null) &&
				echo "IOSUP-DOMUXEN ${what#* } ${what%% *} $c" >/dev/console
			;;
		*"IOSUP-MARK domu-done "*)
			touch "/tmp/domu-$1.forwarded"
			;;
		esac
	done
}

# run_domu TAG [BDF]: one domU, to its end; 1 (said) if it did not finish
# its storms.
run_domu() {
	tag=$1 cfg=/tmp/domu-$1.cfg
	{
		echo "name = \"domu-$tag\""
		echo 'type = "pv"'
		echo 'kernel = "/domu/bzImage"'
		echo 'ramdisk = "/domu/initrd.gz"'
		echo "extra = \"console=hvc0 rig_domu_tag=$tag rig_procs=$PROCS\""
		echo 'memory = 256'
		echo 'vcpus = 1'
		echo 'on_poweroff = "destroy"'
		echo 'on_reboot = "destroy"'
		echo 'on_crash = "destroy"'
		[ -z "$2" ] || echo "pci = [ \"$2\" ]"
	} >"$cfg"
	echo "domu: xl create $cfg: $(tr '\n' ';' <"$cfg")"
	xl create "$cfg" || { echo "domu: xl create failed"; xl dmesg | tail -n 30; return 1; }
	domid=$(xl domid "domu-$tag") || { echo "domu: domu-$tag vanished at creation"; xl dmesg | tail -n 30; return 1; }
	echo "domu: domu-$tag is domain $domid"
	# xenconsole exits on end of input: give it an input that never ends.
	sleep 100000 | xl console "domu-$tag" 2>"/tmp/domu-$tag.console-err" |
		forward "$tag" "$domid" &
	fwd=$!
	t=0
	while xl domid "domu-$tag" >/dev/null 2>&1; do
		if [ $t -ge $DOMU_DEADLINE ]; then
			echo "domu: domu-$tag still runs after ${DOMU_DEADLINE}s:"
			xl list
			xl dmesg | tail -n 30
			xl destroy "domu-$tag"
			break
		fi
		[ $((t % 60)) -ne 59 ] || echo "domu: domu-$tag runs for ${t}s: $(xl list | grep "domu-$tag")"
		sleep 1
		t=$((t + 1))
	done
	sleep 1
	kill $fwd 2>/dev/null
	pkill -P $$ sleep 2>/dev/null
	[ ! -s "/tmp/domu-$tag.console-err" ] ||
		sed "s/^/domu: xl console: /" "/tmp/domu-$tag.console-err"
	log=/var/log/xen/console/guest-domu-$tag.log
	if ! grep -q "IOSUP-MARK domu-done tag=$tag" "$log" 2>/dev/null; then
		# Its marks defused: the host must not read them a second time.
		echo "domu: domu-$tag did not finish; its console log ($log):"
		tail -n 60 "$log" 2>/dev/null | sed "s/IOSUP-MARK/IOSUP_MARK/; s/^/domu-$tag log| /"
		xl dmesg | tail -n 30
		return 1
	fi
	[ -f "/tmp/domu-$tag.forwarded" ] ||
		{ echo "domu: domu-$tag finished, but its console did not reach dom0's"; return 1; }
	echo "domu: domu-$tag done in ${t}s"
}

run_domu nodev || exit 1
run_domu dev "$bdf" || exit 1
