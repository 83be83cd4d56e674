# The iosup generic netlink family: reads, writes, and bad input refused
# with an extack message and no change to the pools. The client is
# iosup-pool (kshim/linux/tools/iosup-pool.c), from the build or shipped
# beside the module.
. /lib/rig/guest.sh
ko=/lib/modules/extra/iosup.ko
nl=$(command -v iosup-pool || echo /lib/modules/extra/iosup-pool)
fail() { echo "pool-netlink: FAIL: $*" >&2; exit 1; }
[ -f "$ko" ] || fail "$ko is missing"
[ -x "$nl" ] || fail "no iosup-pool client"

insmod "$ko" debug=1 || fail "insmod"
echo "+ $nl show"; $nl show || fail "show"

# The settings of every level; the counters move with any process.
settings() {
	$nl show | sed -E 's/ (pool|hits|misses|taken|refused|released|shrunk|in_use|lease|alloc_count|alloc_ns|free_count|free_ns)=[0-9]+//g'
}

# refused DESCRIPTION MESSAGE ARGS...: the request fails, the kernel says
# MESSAGE, and the settings read the same before and after.
refused() {
	desc=$1 msg=$2
	shift 2
	before=$(settings) || fail "$desc: show"
	echo "+ $nl $*"
	if out=$($nl "$@" 2>&1); then
		fail "$desc: accepted"
	fi
	echo "$out"
	echo "$out" | grep -qF "$msg" || fail "$desc: no '$msg' in: $out"
	[ "$(settings)" = "$before" ] || fail "$desc: the settings changed"
}

# Attribute numbers, from include/uapi/linux/iosup.h.
A_LEVEL=1 A_POOL=2 A_LIMIT=3 A_FREE_RATIO=9 A_ENABLED=10 A_EVENT=11 A_IN_USE=14
A_DEFAULT_LIMIT=17 A_LEASE=18 A_FREE_NS=22 A_POOL_IN_PAGETABLES=23
CMD_GET=1 CMD_SET=2 CMD_DRAIN=3
refused "unknown attribute" "Unknown attribute type (attribute 40)" raw $CMD_SET 40:u32:1
# Each command takes its own attributes: one it does not take is refused,
# by name, in a DRAIN and in a GET (a dump) as in a SET.
refused "limit in a drain" "LIMIT: not an attribute of DRAIN" \
	raw $CMD_DRAIN $A_LEVEL:u8:1 $A_LIMIT:u32:10
refused "lease in a drain" "LEASE: not an attribute of DRAIN" \
	raw $CMD_DRAIN $A_LEVEL:u8:1 $A_LEASE:u32:10
refused "enabled in a drain" "ENABLED: not an attribute of DRAIN" \
	raw $CMD_DRAIN $A_LEVEL:u8:1 $A_ENABLED:u8:0
refused "counter in a drain" "FREE_NS: a read-only counter" \
	raw $CMD_DRAIN $A_LEVEL:u8:1 $A_FREE_NS:u64:0
refused "unknown attribute in a drain" "Unknown attribute type (attribute 40)" \
	raw $CMD_DRAIN $A_LEVEL:u8:1 40:u32:1
refused "limit in a get" "LIMIT: not an attribute of GET" rawdump $CMD_GET $A_LIMIT:u32:10
refused "ratio in a get" "FREE_RATIO: not an attribute of GET" \
	rawdump $CMD_GET $A_FREE_RATIO:u32:10
refused "counter in a get" "POOL: a read-only counter" rawdump $CMD_GET $A_POOL:u64:1
refused "unknown attribute in a get" "Unknown attribute type (attribute 40)" \
	rawdump $CMD_GET 40:u32:1
refused "event in a set" "EVENT: events are sent, not taken" raw $CMD_SET $A_EVENT:u32:1
refused "property in a set" "POOL_IN_PAGETABLES: a read-only property" \
	raw $CMD_SET $A_POOL_IN_PAGETABLES:u8:0
refused "property in a get" "POOL_IN_PAGETABLES: a read-only property" \
	rawdump $CMD_GET $A_POOL_IN_PAGETABLES:u8:1
echo "+ $nl rawdump $CMD_GET $A_LEVEL:u8:2"
out=$($nl rawdump $CMD_GET $A_LEVEL:u8:2) || fail "a GET of level 2"
echo "$out"
[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q " level=2 " ||
	fail "a GET of level 2 did not read level 2 alone"
refused "read-only counter" "read-only counter" raw $CMD_SET $A_POOL:u64:5
refused "limit out of range" "integer out of range" limit 1 300000
refused "wrong level" "integer out of range" limit 5 100
refused "level zero" "integer out of range" limit 0 100
refused "limit without level" "LIMIT needs the LEVEL" raw $CMD_SET $A_LIMIT:u32:10
refused "nothing to set" "nothing to set" raw $CMD_SET
refused "ratio out of range" "integer out of range" ratio 5000
refused "ratio for level 5" "integer out of range" ratio 10 5
refused "read-only in-use count" "read-only counter" raw $CMD_SET $A_IN_USE:u64:1
refused "default limit over netlink" "defaults are the module parameters" \
	raw $CMD_SET $A_DEFAULT_LIMIT:u32:1
refused "lease out of range" "integer out of range" limit 1 10 86401
refused "lease of the wrong size" "invalid attribute length" \
	raw $CMD_SET $A_LEASE:u8:5
refused "level without limit or ratio" "LEVEL is only used with LIMIT or FREE_RATIO" \
	raw $CMD_SET $A_LEVEL:u8:1 $A_ENABLED:u8:1
refused "set without CAP_NET_ADMIN" "needs CAP_NET_ADMIN" --uid 65534 limit 1 10
refused "drain without CAP_NET_ADMIN" "needs CAP_NET_ADMIN" --uid 65534 drain 1
refused "drain without level" "DRAIN needs the LEVEL" raw 3
echo "+ $nl --uid 65534 show"; $nl --uid 65534 show || fail "an unprivileged read"

# Writes that are valid take effect.
echo "+ $nl limit 2 77"; $nl limit 2 77 || fail "limit"
$nl show | grep -q "level=2 .*limit=77 " || fail "limit 77 not read back"
echo "+ $nl ratio 150"; $nl ratio 150 || fail "ratio"
$nl show | grep -q "free_ratio=150 " || fail "ratio not read back"
echo "+ $nl ratio 120 2"; $nl ratio 120 2 || fail "ratio of one level"
$nl show | grep -q "level=2 .*free_ratio=120 " || fail "level 2's ratio not read back"
$nl show | grep -q "level=1 .*free_ratio=150 " || fail "level 1's ratio changed with level 2's"
echo "+ $nl ratio 0"; $nl ratio 0 || fail "ratio 0"
[ "$($nl show | grep -c "free_ratio=0 ")" = 4 ] || fail "ratio 0 did not reach every level"
iosup-lat-proc -n 50 -w 0 fork-exit >/dev/null || fail "storm"
echo "+ $nl drain 1"; $nl drain 1 || fail "drain"
$nl show | grep "level=1 " | grep -q " released=[1-9]" || fail "drain released nothing"
# Disabled, the pools are drained and take nothing in.
echo "+ $nl disable"; $nl disable || fail "disable"
$nl show
[ "$($nl show | grep -c " pool=0 .*enabled=0")" = 4 ] || fail "not empty and disabled"
echo "+ $nl enable"; $nl enable || fail "enable"
$nl show

# Every level says that its pages are in PageTables: iosupd takes them out
# of PageTables only when the module says so (an older module does not).
[ "$($nl show | grep -c " pool_in_pagetables=1")" = 4 ] ||
	fail "not every level says pool_in_pagetables=1"

# The cost counters: sent only while the kernel counts them (debugfs
# xen/pt_cost), and then within what that file says before and after.
costs=/sys/kernel/debug/xen/pt_cost
grep -q " /sys/kernel/debug " /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug ||
	fail "mount debugfs"
echo 0 >$costs || fail "switching the cost counters off"
if $nl show | grep -q "alloc_count="; then
	fail "cost counters sent while the kernel does not count them"
fi
echo 1 >$costs || fail "switching the cost counters on"
iosup-lat-proc -n 50 -w 0 fork-exit >/dev/null || fail "storm"
# cost_sum FILE "KINDS" LEVEL: the tables of those kinds at a level.
cost_sum() {
	awk -v kinds="$2" -v l="$3" '
		BEGIN { n = split(kinds, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1 }
		NR > 1 && ($1 in want) && $2 == l { sum += $3 }
		END { print sum + 0 }' "$1"
}
cat $costs >/tmp/cost-before || fail "read $costs"
$nl show >/tmp/cost-netlink || fail "show"
cat $costs >/tmp/cost-after || fail "read $costs"
echo 0 >$costs
for l in 1 2 3 4; do
	for dir in alloc free; do
		if [ $dir = alloc ]; then kinds="pool_get pin"; else kinds="pool_put unpin"; fi
		lo=$(cost_sum /tmp/cost-before "$kinds" $l)
		hi=$(cost_sum /tmp/cost-after "$kinds" $l)
		got=$(grep "level=$l " /tmp/cost-netlink | sed -n "s/.* ${dir}_count=\([0-9]*\).*/\1/p")
		ns=$(grep "level=$l " /tmp/cost-netlink | sed -n "s/.* ${dir}_ns=\([0-9]*\).*/\1/p")
		for v in "$lo" "$hi" "$got" "$ns"; do
			case "$v" in '' | *[!0-9]*) fail "L$l: ${dir}: a reading is not a number (the file: '$lo'..'$hi', count '$got', ns '$ns')" ;; esac
		done
		[ "$lo" -le "$got" ] && [ "$got" -le "$hi" ] ||
			fail "L$l: ${dir}_count $got, outside the file's $lo..$hi"
		echo "pool-netlink: L$l ${dir}_count $got (the file: $lo..$hi), ${dir}_ns $ns"
	done
done
[ "$(cost_sum /tmp/cost-after "pool_get pin" 1)" -gt 0 ] || fail "no L1 table made while counted"
rmmod iosup || fail "rmmod"
exit 0
