#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# The watchdog's policy and actuator against a real ptp4l grandmaster and client in two
# namespaces, with a scripted GNSS timeline (tests/tools/wd_drive): GNSS lost at 1 s ->
# holdover (clockClass 7) after 1 s, degraded (52) after the 3 s budget; the GM's ptp4l is
# restarted while degraded (it comes back announcing 6) and the watchdog re-applies 52; GNSS
# back at 11 s -> clockClass 6 after 1.5 s of good GNSS. linuxptp's own pmc on the CLIENT
# watches the class the GM announces.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need pmc
drive="$PTPCAL_TOP/build/tests/tools/wd_drive"
[ -x "$drive" ] || make -C "$PTPCAL_TOP" -s build/tests/tools/wd_drive >/dev/null
netns_require_root || skip "needs root for network namespaces"
netns_trap
cd "$E2E_DIR"
gm="$NS_PREFIX-gm" cl="$NS_PREFIX-cl"
netns_add "$gm"
netns_add "$cl"
netns_veth "$gm" veth0 "$cl" veth0
PTP4L_UDS="$E2E_DIR/gm.uds" ptp4l_conf gm L2 >gm.conf
PTP4L_UDS="$E2E_DIR/cl.uds" ptp4l_conf client L2 >cl.conf
netns_bg "$gm" gm.log ptp4l -m -f gm.conf -i veth0
g=$NETNS_LAST_PID
netns_bg "$cl" cl.log ptp4l -m -f cl.conf -i veth0
for _ in $(seq 1 40); do
    pmc -u -b 0 -s "$E2E_DIR/cl.uds" "GET PARENT_DATA_SET" 2>/dev/null | grep -Eq 'gm.ClockClass +6' && break
    sleep 0.25
done
"$drive" "$E2E_DIR/gm.uds" 1 3 1.5 1:bad 11:good 14:end >wd.log 2>&1 &
d=$!
NETNS_PIDS="$NETNS_PIDS $d"
start=$(date +%s)
: >classes.txt
restarted=0
while kill -0 $d 2>/dev/null; do
    if [ $restarted = 0 ] && [ $(( $(date +%s) - start )) -ge 6 ]; then # degraded: restart the GM's ptp4l
        restarted=1
        netns_stop $g
        netns_bg "$gm" gm2.log ptp4l -m -f gm.conf -i veth0
        g=$NETNS_LAST_PID
        echo "restart" >>classes.txt
    fi
    c=$(pmc -u -b 0 -s "$E2E_DIR/cl.uds" "GET PARENT_DATA_SET" 2>/dev/null | awk '$1 == "gm.ClockClass" {print $2}')
    echo "${c:-none}" >>classes.txt
    sleep 0.25
done
wait $d 2>/dev/null || true
cat wd.log
seq=$(uniq classes.txt | tr '\n' ' ')
echo "client saw: $seq"
grep -qx 7 classes.txt || die "client never saw holdover clockClass 7"
grep -qx 52 classes.txt || die "client never saw degraded clockClass 52"
[ "$(grep -v restart classes.txt | grep -v none | tail -n 1)" = 6 ] || die "not restored to 6 at the end: $seq"
# order: 7 before 52, 52 before the final 6
python3 - "$E2E_DIR/classes.txt" <<'PY' || die "wrong order: $seq"
import sys
v = [l.strip() for l in open(sys.argv[1]) if l.strip() not in ("none", "restart")]
i7 = v.index("7"); i52 = v.index("52"); last6 = len(v) - 1 - v[::-1].index("6")
assert i7 < i52 < last6, v
assert all(x == "6" for x in v[last6 - 2:]), v
PY
grep -q 'HOLDOVER' wd.log || die "no HOLDOVER transition logged"
grep -q 'DEGRADED' wd.log || die "no DEGRADED transition logged"
grep -q 'REAPPLIED.*clockClass 52' wd.log || die "the restarted ptp4l was not re-demoted: $(cat wd.log)"
# the first contact is the initial SET (traceable), never a REAPPLIED; the only REAPPLIED is
# the one after the restart
sed -n 2p wd.log | grep -q ' SET .*clockClass 6 .*timeTraceable 1' || die "no initial SET after START: $(cat wd.log)"
[ "$(grep -c REAPPLIED wd.log)" = 1 ] || die "REAPPLIED other than after the restart: $(cat wd.log)"
grep -q 'LOCKED' wd.log || die "no recovery logged"
# the degraded settings also cleared the traceability the locked ones set
grep -q 'SET .*clockClass 52 clockAccuracy 0xfe.*timeTraceable 0 frequencyTraceable 0' wd.log || die "degraded settings wrong"
pmc -u -b 0 -s "$E2E_DIR/gm.uds" "GET GRANDMASTER_SETTINGS_NP" | grep -Eq 'timeTraceable +1' || die "locked settings not traceable"
