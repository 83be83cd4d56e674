# iosup as an operator runs it, first boot: a Debian 12 dom0 under systemd
# with iosup's packages installed by apt (tests/vm/debian-disk.sh), run by
# the image's rig driver (tests/vm/systemd/rig-run). In order:
#   boot      the package enabled iosupd and the boot started it: active,
#             ordered after xen.service, the module loaded by
#             modules-load.d
#   access    `iosupctl status`: root is let in; a member of the group
#             iosup and a user outside it are refused (exit 4) while
#             control_group is unset; `control_group = iosup` in
#             iosupd.conf and `systemctl reload`: the member is let in,
#             the other still refused, the socket is 0666
#   journal   a policy max_pages below the module's defaults, then churn:
#             every action iosupd took is one NOTICE in `journalctl
#             -u iosupd` with IOSUP_DOMID, IOSUP_LEVEL, IOSUP_LIMIT_OLD and
#             _NEW (or IOSUP_RATIO_*), IOSUP_BOUND and IOSUP_REASON, as
#             many as the decisions iosupd counts
#   stop      `systemctl stop`: every limit back to the module's defaults
#             (its limit_lN parameters), the metrics file removed
#   start     `systemctl start` returns only after READY=1, which iosupd
#             sends after its first period: the metrics file that period
#             writes is there when it returns, and the service is active
#   watchdog  `kill -STOP` of iosupd: systemd's watchdog restarts it within
#             WatchdogSec plus WATCHDOG_SLACK seconds, as a new process
#   enable    `systemctl disable`, then `systemctl enable`: the reboot that
#             follows (scenario systemd-reboot) must bring iosupd up
# Figures for the host: IOSUP-SYSTEMD <what> key=value...
. /usr/local/lib/iosup-rig/guest.sh
stats=/sys/module/iosup/parameters/stats
conf=/etc/iosup/iosupd.conf
prom=/var/lib/prometheus/node-exporter/iosup.prom
# systemd checks the watchdog on its own timer and then signals, reaps and
# restarts; iosupd then runs a first period before READY=1. Under QEMU's
# TCG each step is slow: the slack allowed on top of WatchdogSec.
WATCHDOG_SLACK=20
# The policy maximum the journal's actions are provoked with, per level.
MAX_PAGES=64
failed=0

fail() { echo "systemd: FAIL: $*"; failed=1; }
ok() { echo "systemd: ok: $*"; }
prop() { systemctl show -p "$2" --value "$1"; }
# limits: the module's limits, "l1 l2 l3 l4"; defaults: its parameters.
limits() { awk '$1 ~ /^L[0-9]$/ { printf "%s%s", sep, $3; sep = " " } END { print "" }' "$stats"; }
defaults() { echo "$(cat /sys/module/iosup/parameters/limit_l1) $(cat /sys/module/iosup/parameters/limit_l2) $(cat /sys/module/iosup/parameters/limit_l3) $(cat /sys/module/iosup/parameters/limit_l4)"; }
# churn S: S seconds of fork+exec, which the pools serve and iosupd sizes.
churn() {
	_end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$_end" ]; do /bin/true; done
}
# decisions: the decisions iosupd has counted, from its metrics file.
decisions() { awk '$1 ~ /^iosup_decisions_total[{]/ { n += $2 } END { print n + 0 }' "$prom"; }
# as USER CMD...: CMD as USER with USER's groups; its exit status, its
# output in /tmp/as.out.
as() {
	_u=$1
	shift
	setpriv --reuid="$(id -u "$_u")" --regid="$(id -g "$_u")" --init-groups -- "$@" >/tmp/as.out 2>&1
}

echo "== boot"
[ "$(systemctl is-enabled iosupd)" = enabled ] && ok "the package enabled iosupd" ||
	fail "iosupd is '$(systemctl is-enabled iosupd)', not enabled, after the package's install"
if [ "$(systemctl is-active iosupd)" = active ]; then
	ok "iosupd is active after boot"
else
	# Nothing after this can pass: say why, and stop.
	fail "iosupd is '$(systemctl is-active iosupd)' after boot; its journal:"
	journalctl -b -u iosupd -o cat | tail -n 30 | sed 's/^/  | /'
	exit 1
fi
[ -d /sys/module/iosup ] && ok "modules-load.d loaded the module" || fail "the module is not loaded"
case " $(prop iosupd After) " in
*" xen.service "*) ok "iosupd is ordered after xen.service" ;;
*) fail "iosupd's After= lacks xen.service: $(prop iosupd After)" ;;
esac
xen_up=$(prop xen.service ActiveEnterTimestampMonotonic)
iosupd_start=$(prop iosupd ExecMainStartTimestampMonotonic)
[ "$xen_up" -gt 0 ] && [ "$iosupd_start" -ge "$xen_up" ] &&
	ok "iosupd started $(((iosupd_start - xen_up) / 1000)) ms after xen.service was up" ||
	fail "iosupd started at ${iosupd_start} us, xen.service up at ${xen_up} us"

echo "== access"
useradd -M -N -g nogroup -s /usr/sbin/nologin -G iosup iosup-member || fail "useradd iosup-member"
useradd -M -N -g nogroup -s /usr/sbin/nologin iosup-outsider || fail "useradd iosup-outsider"
iosupctl status >/dev/null && ok "root: iosupctl status answers" || fail "root: iosupctl status: exit $?"
as iosup-member iosupctl status
rc=$?
[ $rc -eq 4 ] && ok "group iosup without control_group: refused, exit 4" ||
	fail "group iosup without control_group: exit $rc, not 4: $(cat /tmp/as.out)"
sed -i '/^control_group/d' "$conf"
printf 'control_group = iosup\n' >>"$conf"
# systemctl reload returns once iosupd has applied it (ExecReload= is
# iosupctl reload, which waits for iosupd's answer).
systemctl reload iosupd && ok "systemctl reload iosupd" || fail "systemctl reload iosupd: exit $?"
as iosup-member iosupctl status
rc=$?
[ $rc -eq 0 ] && ok "after reload, a member of iosup is let in" ||
	fail "after reload, a member of iosup: exit $rc, not 0: $(cat /tmp/as.out)"
as iosup-outsider iosupctl status
rc=$?
[ $rc -eq 4 ] && ok "a user outside iosup: refused, exit 4" || fail "a user outside iosup: exit $rc, not 4: $(cat /tmp/as.out)"
mode=$(stat -c %a /run/iosupd/control)
[ "$mode" = 666 ] && ok "the socket is 0666 with a control group" || fail "the socket is $mode, not 666"

echo "== journal"
# Paused, iosupd decides nothing: the journal's cursor and the decisions
# counted so far (iosup_decisions_total, the metrics file) mark the start.
iosupctl pause >/dev/null || fail "iosupctl pause"
sleep 3
before=$(decisions)
# The cursor of iosupd's own last entry: read back with -u iosupd, a
# cursor of another unit's entry loses the first match (systemd < 255).
cursor=$(journalctl -u iosupd -n 1 --show-cursor -q | sed -n 's/^-- cursor: //p')
[ -n "$cursor" ] || fail "journalctl gave no cursor"
iosupctl resume >/dev/null || fail "iosupctl resume"
# The module's defaults are far above what this churn needs, so iosupd
# would only hold: a policy maximum makes it cut every level, an action
# each with its bound; then churn under it, and the maximum lifted.
iosupctl policy set Domain-0 max_pages=$MAX_PAGES >/dev/null || fail "iosupctl policy set"
churn 12
iosupctl policy unset Domain-0 max_pages >/dev/null || fail "iosupctl policy unset"
churn 8
iosupctl pause >/dev/null || fail "iosupctl pause"
sleep 3
after=$(decisions)
journalctl -u iosupd --after-cursor "$cursor" -o json >/tmp/iosupd.json
actions=$(jq -s '[.[] | select(.IOSUP_KNOB != null)] | length' /tmp/iosupd.json) ||
	fail "jq could not read iosupd's journal"
# An action whose fields are missing or malformed, by its message; a field
# that is absent reads as "" and fails its pattern.
bad=$(jq -s -r '.[] | select(.IOSUP_KNOB != null) |
	select((.PRIORITY // "") != "5" or
	       ((.IOSUP_DOMID // "") | test("^[0-9]+$") | not) or
	       ((.IOSUP_LEVEL // "") | test("^[1-4]$") | not) or
	       ((.IOSUP_KNOB // "") | test("^(limit|ratio)$") | not) or
	       ((.IOSUP_APPLIED // "") | test("^[01]$") | not) or
	       (.IOSUP_BOUND // "") == "" or (.IOSUP_REASON // "") == "" or
	       ((.IOSUP_LIMIT_OLD // .IOSUP_RATIO_OLD // "") | test("^[0-9]+$") | not) or
	       ((.IOSUP_LIMIT_NEW // .IOSUP_RATIO_NEW // "") | test("^[0-9]+$") | not)) |
	.MESSAGE // "(no message)"' /tmp/iosupd.json) || { fail "jq could not check the actions' fields"; bad=''; }
echo "IOSUP-SYSTEMD journal actions=$actions decisions_before=$before decisions_after=$after"
jq -s -r '.[] | select(.IOSUP_KNOB != null) |
	"  | dom\(.IOSUP_DOMID) L\(.IOSUP_LEVEL) \(.IOSUP_KNOB) \(.IOSUP_LIMIT_OLD // .IOSUP_RATIO_OLD) -> \(.IOSUP_LIMIT_NEW // .IOSUP_RATIO_NEW) bound=\(.IOSUP_BOUND) reason=\(.IOSUP_REASON)"' \
	/tmp/iosupd.json | head -n 12
[ "$actions" -gt 0 ] && ok "$actions actions in the journal with their fields" ||
	fail "no action in the journal after 20 s of churn"
[ -z "$bad" ] && ok "every action is a NOTICE with numeric fields" || fail "actions without their fields: $bad"
cut=$(jq -s --arg max "$MAX_PAGES" '[.[] | select(.IOSUP_KNOB == "limit" and .IOSUP_BOUND == "max_pages" and .IOSUP_LIMIT_NEW == $max)] | length' /tmp/iosupd.json)
[ "$cut" -ge 1 ] && ok "$cut limits cut to max_pages $MAX_PAGES, IOSUP_BOUND=max_pages" ||
	fail "no limit cut to max_pages $MAX_PAGES with IOSUP_BOUND=max_pages"
[ $((after - before)) -eq "$actions" ] && ok "one journal entry per decision iosupd counts ($actions)" ||
	fail "$actions journal entries for $((after - before)) decisions"
iosupctl resume >/dev/null || fail "iosupctl resume"

echo "== stop"
systemctl stop iosupd && ok "systemctl stop iosupd" || fail "systemctl stop iosupd: exit $?"
[ "$(limits)" = "$(defaults)" ] && ok "the limits are the module's defaults again ($(limits))" ||
	fail "after stop the limits are $(limits), the defaults $(defaults)"

[ ! -e "$prom" ] && ok "stop removed the metrics file" || fail "$prom outlived iosupd"

echo "== start"
systemctl start iosupd && ok "systemctl start iosupd" || fail "systemctl start iosupd: exit $?"
[ "$(systemctl is-active iosupd)" = active ] && ok "active once start returned" ||
	fail "'$(systemctl is-active iosupd)' once start returned"
periods=$(awk '$1 == "iosup_periods_total" { print $2 }' "$prom" 2>/dev/null)
[ -n "$periods" ] && [ "$periods" -ge 1 ] &&
	ok "start returned after iosupd's first period (its metrics file says $periods)" ||
	fail "start returned before iosupd's first period: no iosup_periods_total in $prom"

echo "== watchdog"
pid=$(prop iosupd MainPID)
restarts=$(prop iosupd NRestarts)
# "30s": WatchdogSec in seconds, as systemctl prints it.
wd=$(prop iosupd WatchdogUSec)
case $wd in
*[!0-9s]* | *s*s | s | '') fail "WatchdogUSec is '$wd', not a number of seconds"; wd=30 ;;
*) wd=${wd%s} ;;
esac
[ "$pid" -gt 0 ] 2>/dev/null || { fail "iosupd has no main process ('$pid'): no watchdog test"; exit 1; }
t0=$(date +%s)
kill -STOP "$pid"
new=$pid
while [ $(($(date +%s) - t0)) -lt $((wd + WATCHDOG_SLACK)) ]; do
	new=$(prop iosupd MainPID)
	[ "$new" != "$pid" ] && [ "$new" != 0 ] && [ "$(systemctl is-active iosupd)" = active ] && break
	sleep 1
done
took=$(($(date +%s) - t0))
echo "IOSUP-SYSTEMD watchdog seconds=$took watchdog_sec=$wd slack=$WATCHDOG_SLACK"
if [ "$new" != "$pid" ] && [ "$(systemctl is-active iosupd)" = active ]; then
	ok "a stopped iosupd was restarted by the watchdog in ${took} s (WatchdogSec ${wd} s)"
else
	kill -CONT "$pid" 2>/dev/null
	fail "a stopped iosupd was not restarted within $((wd + WATCHDOG_SLACK)) s"
fi
[ "$(prop iosupd NRestarts)" -eq $((restarts + 1)) ] && ok "one restart counted" ||
	fail "NRestarts went from $restarts to $(prop iosupd NRestarts)"
journalctl -u iosupd -b -o cat | grep -q 'Watchdog timeout' && ok "the journal says the watchdog fired" ||
	fail "no 'Watchdog timeout' for iosupd in the journal"

echo "== enable"
systemctl disable iosupd 2>/dev/null && [ "$(systemctl is-enabled iosupd)" = disabled ] &&
	ok "systemctl disable" || fail "systemctl disable: '$(systemctl is-enabled iosupd)'"
systemctl enable iosupd 2>/dev/null && [ "$(systemctl is-enabled iosupd)" = enabled ] &&
	ok "systemctl enable" || fail "systemctl enable: '$(systemctl is-enabled iosupd)'"
exit $failed
