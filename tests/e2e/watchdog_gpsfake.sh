#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal watchdog end to end: real gpsd fed by gpsfake (tests/data/gnss-fix-loss.nmea: 3D
# fix 10 s, no fix 8 s, fix 6 s, then the log ends), a real ptp4l grandmaster and client in
# namespaces. With --loss 1s --holdover 2s --recover 2s the client must see, in its
# PARENT_DATA_SET (linuxptp's own pmc), clockClass 6, then 7 (holdover), 52 (degraded), and
# 6 again after the fix returns; the watchdog logs each transition.
# gpsd runs in private network, IPC and PID namespaces (it creates NTP SHM segments).
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for namespaces"
need gpsfake
need gpsd
need unshare
need ptp4l
need pmc
need python3
netns_trap
cd "$E2E_DIR"
gm="$NS_PREFIX-gm" cl="$NS_PREFIX-cl" gps="$NS_PREFIX-gps"
netns_add "$gm"
netns_add "$cl"
netns_add "$gps"
netns_veth "$gm" veth0 "$cl" veth0
PTP4L_UDS="$E2E_DIR/gm.uds" ptp4l_conf gm L2 >gm.conf
PTP4L_UDS="$E2E_DIR/cl.uds" ptp4l_conf client L2 >cl.conf
netns_bg "$gm" gm.log ptp4l -m -f gm.conf -i veth0
netns_bg "$cl" cl.log ptp4l -m -f cl.conf -i veth0
for _ in $(seq 1 40); do
    pmc -u -b 0 -s "$E2E_DIR/cl.uds" "GET PARENT_DATA_SET" 2>/dev/null | grep -Eq 'gm.ClockClass +6' && break
    sleep 0.25
done
port=29$(( $$ % 400 + 500 )) # 29500..29899: its own band (gnss_gpsfake may run beside it)
cat >inner.sh <<EOI
cd "$E2E_DIR"
TMPDIR="$E2E_DIR" gpsfake -1 -q -c 0.2 -P $port "$PTPCAL_TOP/tests/data/gnss-fix-loss.nmea" >gpsfake.out 2>&1 &
gf=\$!
TMPDIR="$E2E_DIR" python3 "$PTPCAL_TOP/tests/e2e/gpsfake_add.py" \$gf >gpsfake_add.out 2>&1
"$PTPCAL" watchdog --gpsd localhost:$port -s "$E2E_DIR/gm.uds" --loss 1s --holdover 2s \
    --recover 2s --recheck 1s --duration 24s >wd.log 2>wd.err
echo "watchdog exit \$?" >wd.rc
for p in \$(pgrep -P \$gf); do kill \$p; done
EOI
netns_bg "$gps" sandbox.log unshare --ipc --pid --mount-proc --fork --kill-child sh "$E2E_DIR/inner.sh"
sandbox=$NETNS_LAST_PID
: >classes.txt
while kill -0 "$sandbox" 2>/dev/null; do
    c=$(pmc -u -b 0 -s "$E2E_DIR/cl.uds" "GET PARENT_DATA_SET" 2>/dev/null | awk '$1 == "gm.ClockClass" {print $2}')
    echo "${c:-none}" >>classes.txt
    sleep 0.25
done
cat wd.log wd.err
grep -q "watchdog exit 0" wd.rc || die "watchdog: $(cat wd.rc wd.err)"
seq=$(uniq classes.txt | tr '\n' ' ')
echo "client saw: $seq"
python3 - "$E2E_DIR/classes.txt" <<'PY' || die "wrong sequence: $seq"
import sys
v = [l.strip() for l in open(sys.argv[1]) if l.strip() != "none"]
u = [x for i, x in enumerate(v) if i == 0 or v[i - 1] != x]
# the fix loss: 7, then 52, then 6 again (a start-up blip 6 -> 7 -> 6 is allowed only when
# gpsd's first report came later than the watchdog's 3 s start-up grace on a loaded host)
i52 = u.index("52")
assert i52 >= 2 and u[i52 - 1] == "7" and u[i52 + 1] == "6", u
i7 = v.index("7"); i52 = v.index("52", i7)
i6 = v.index("6", i52)
print("6 -> 7 at sample %d -> 52 at %d -> 6 at %d" % (i7, i52, i6))
PY
grep -q 'GNSS .*no fix' wd.log || die "no GNSS loss logged"
grep -q 'HOLDOVER' wd.log || die "no HOLDOVER logged"
grep -q 'DEGRADED' wd.log || die "no DEGRADED logged"
grep -q 'LOCKED .*GNSS good' wd.log || die "no recovery logged"
grep -q 'SET .*clockClass 6 .*timeTraceable 1' wd.log || die "locked settings not set traceable"
# no gpsd at all: after the start-up grace that is a loss too; --json logs JSON lines
"$PTPCAL" watchdog --gpsd localhost:1 -s "$E2E_DIR/gm.uds" --loss 1s --recheck 1s --duration 6s \
    --json >wd2.jsonl 2>wd2.err || die "watchdog without gpsd: $(cat wd2.err)"
python3 - "$E2E_DIR/wd2.jsonl" <<'PY' || die "bad JSON lines: $(cat wd2.jsonl)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
assert "HOLDOVER" in names and names[-1] == "STOP", names
assert any(e["event"] == "GNSS" and "gpsd not reachable" in e["detail"] for e in ev), ev
PY
pmc -u -b 0 -s "$E2E_DIR/gm.uds" "GET GRANDMASTER_SETTINGS_NP" | grep -Eq 'clockClass +7' || die "no holdover without gpsd"
expect_exit 2 "$PTPCAL" watchdog --degraded-class 50
expect_exit 2 "$PTPCAL" watchdog --loss x
expect_exit 0 "$PTPCAL" watchdog --help
