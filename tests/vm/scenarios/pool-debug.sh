# Debug mode switched on and off while the pools hold pages: the pages
# pooled before a switch are handed out after it, and not one of them may
# count as a violation (nor warn, which the rig's console check catches
# too): switching on must not take every earlier page for one that never
# entered a pool.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
nl=$(command -v iosup-pool || echo /lib/modules/extra/iosup-pool)
param=/sys/module/iosup/parameters
fail() { echo "pool-debug: FAIL: $*" >&2; exit 1; }
[ -f "$ko" ] || fail "$ko is missing"
[ -x "$nl" ] || fail "no iosup-pool client"

# total NAME: a counter summed over the levels, from the netlink dump.
total() {
	$nl show | awk -v k="$1=" '
		{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) n += substr($i, length(k) + 1) }
		END { print n + 0 }'
}

# warm: 100 processes alive at once, then gone: the pools fill.
warm() {
	i=0 pids=
	while [ $i -lt 100 ]; do
		sleep 600 &
		pids="$pids $!"
		i=$((i + 1))
	done
	sleep 2
	kill $pids
	wait 2>/dev/null
	sleep 1
}

# flip VALUE: switch debug mode with pages pooled, then a storm takes
# pages out of the pools; the switch itself and the hand-outs after it
# must add no violation.
flip() {
	warm
	pooled=$(total pool) hits=$(total hits)
	[ "$pooled" -ge 100 ] || fail "only $pooled tables pooled before debug=$1"
	echo "$1" >$param/debug || fail "writing debug=$1"
	[ "$(cat $param/debug)" = "$([ "$1" = 1 ] && echo Y || echo N)" ] ||
		fail "debug reads $(cat $param/debug) after writing $1"
	iosup-lat-proc -n 50 -w 0 fork-exit >/dev/null || fail "storm after debug=$1"
	[ "$(total hits)" -gt "$hits" ] || fail "the storm after debug=$1 took nothing from the pools"
	v=$(total violations)
	echo "pool-debug: debug=$1 with $pooled tables pooled: $(($(total hits) - hits)) handed out, $v violations"
	[ "$v" = 0 ] || fail "$v violations after switching debug to $1 with pages pooled"
}

insmod "$ko" || fail "insmod"
flip 1
flip 0
flip 1
cat $param/stats
dmesg | grep -q 'iosup: L[0-9]' && fail "the module warned: $(dmesg | grep 'iosup: L[0-9]' | head -n 3)"
rmmod iosup || fail "rmmod"
echo "pool-debug: debug switched three times with the pools warm, no violation"
exit 0
