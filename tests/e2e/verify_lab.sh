#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal verify against real ptp4l (a grandmaster and a client in two namespaces, private
# management sockets), an SHM segment fed by `ptpcal shm write`, recorded ntpq/ps/ethtool
# outputs. Checks are asserted one by one from the JSON:
#  - server: management PASS; utc-offset FAIL (software time stamps = UTC timescale, linuxptp
#    clock.c) until the timescale flags are SET, then PASS against the leap file; grandmaster
#    PASS (its own GM, class 6), FAIL after SET clockClass 7; phc-tai SKIP (no PHC);
#  - client: grandmaster sees the GM's class 6; the free_running port (UNCALIBRATED) is SKIP
#    with --ptp4l-conf of free_running 1, FAIL without it; shm PASS with a
#    ticking segment, FAIL with the 37-second offset; ntpsec-peer PASS/FAIL from ntpq output;
#  - daemons from a recorded ps: FAIL on the wrong phc2sys direction.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need python3
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
netns_bg "$cl" cl.log ptp4l -m -f cl.conf -i veth0
printf '#$ 3950000000\n#@ 4100000000\n2272060800 10\n3692217600 37\n' >leap.list
mkdir -p out
printf '  PID COMMAND\n  100 /usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i veth0\n  101 /usr/sbin/phc2sys -s veth0 -E ntpshm -M 2 -w\n' >out/ps.txt
printf 'Time stamping parameters for veth0:\nPTP Hardware Clock: none\nHardware Transmit Timestamp Modes: none\nHardware Receive Filter Modes: none\n' >out/ethtool-T-veth0.txt
for _ in $(seq 1 40); do
    "$PTPCAL" pmc -s "$E2E_DIR/cl.uds" GET PARENT_DATA_SET 2>/dev/null | grep -Eq 'gm.ClockClass +6' && break
    sleep 0.25
done
# status ID WANT FILE: the check's status in a verify JSON
status() {
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); print([c["status"] for c in d["checks"] if c["id"]==sys.argv[1]][0])' "$1" "$3")
    [ "$got" = "$2" ] || die "$1 is $got, wanted $2: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); print([c for c in d["checks"] if c["id"]==sys.argv[1]])' "$1" "$3")"
}
V() { "$PTPCAL" verify "$@" --iface veth0 --leapfile leap.list --outputs out --json; }

# --- server ---
V server -s "$E2E_DIR/gm.uds" >s1.json && die "verify passed with phc2sys in the client direction"
status daemons FAIL s1.json
grep -q 'not in the server direction' s1.json || die "no direction finding"
status management PASS s1.json
status utc-offset FAIL s1.json
grep -q 'ptpTimescale 0' s1.json || die "no timescale finding"
status grandmaster PASS s1.json
status phc-tai SKIP s1.json
"$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP ptpTimescale 1 currentUtcOffsetValid 1 >/dev/null
V server -s "$E2E_DIR/gm.uds" >s2.json || true
status utc-offset PASS s2.json
"$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP currentUtcOffsetValid 0 >/dev/null
V server -s "$E2E_DIR/gm.uds" >s2.json || true
status utc-offset WARN s2.json
"$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP currentUtcOffset 36 >/dev/null
V server -s "$E2E_DIR/gm.uds" >s2.json || true
status utc-offset FAIL s2.json
grep -q 'currentUtcOffset 36 but' s2.json || die "no offset finding"
"$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP currentUtcOffset 37 clockClass 7 >/dev/null
V server -s "$E2E_DIR/gm.uds" >s3.json || true
status grandmaster FAIL s3.json
grep -q 'watchdog demoted it' s3.json || die "no holdover hint"
"$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP clockClass 6 >/dev/null
# PHC - UTC from recorded PHC readings (replayed through capture/clocksrc): TAI passes, a
# PHC holding UTC is the 37-second trap
printf '# ptpcal-dataset 1 phc\nt_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod\n0.000000000\t1795000000.000000000\t1795000037.000004000\t37000004000.0\t900\tPTP_SYS_OFFSET_EXTENDED\n' >tai.phc
printf '# ptpcal-dataset 1 phc\nt_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod\n0.000000000\t1795000000.000000000\t1795000000.000004000\t4000.0\t900\tPTP_SYS_OFFSET_EXTENDED\n' >utc.phc
V server -s "$E2E_DIR/gm.uds" --phc tai.phc >s4.json || true
status phc-tai PASS s4.json
V server -s "$E2E_DIR/gm.uds" --phc utc.phc >s4.json || true
status phc-tai FAIL s4.json
grep -q 'the PHC holds UTC (the 37-second trap)' s4.json || die "no 37-second finding"
echo "server checks: ok"

# --- client ---
unit=$(( 150 + $$ % 24 )) # 150..173 and unit+1: its own band (tests run beside each other)
"$PTPCAL" shm write --unit $unit --interval 0.2s --duration 8s >shmw.log 2>&1 &
w=$!
NETNS_PIDS="$NETNS_PIDS $w"
printf '     remote           refid      st t when poll reach   delay   offset   jitter\n=======\n*SHM(%d)          .PTP.            0 l    4   16  377   0.0000   0.0012   0.0008\n+192.0.2.7       .GPS.            1 u   33   64  377   0.3120   0.0200   0.0100\n' $unit >out/ntpq-pn.txt
wait_for_line shmw.log "created\|attached" || die "shm write: $(cat shmw.log)"
sleep 0.5
V client -s "$E2E_DIR/cl.uds" --shm-unit $unit >c1.json || true
status management PASS c1.json
status shm PASS c1.json
status ntpsec-peer PASS c1.json
# the client hears the class 6 GM. Its ptp4l runs free_running 1, so its port stays
# UNCALIBRATED (linuxptp clock.c clock_no_adjust): with that config the check is SKIP with
# the reason; with a config without free_running the same port state is a FAIL
grep -q '^free_running *1' cl.conf || die "the lab client conf lacks free_running 1"
grep -v '^free_running' cl.conf >cl-nofr.conf
V client -s "$E2E_DIR/cl.uds" --shm-unit $unit --ptp4l-conf cl.conf >c1fr.json || true
V client -s "$E2E_DIR/cl.uds" --shm-unit $unit --ptp4l-conf cl-nofr.conf >c1nofr.json || true
python3 -c 'import json,sys
def gm(f):
    d = json.load(open(f))
    return [c for c in d["checks"] if c["id"] == "grandmaster"][0]
fr, nofr = gm("c1fr.json"), gm("c1nofr.json")
msgs = " ".join(f["message"] for f in nofr["findings"])
assert "clockClass" not in msgs, msgs
if nofr["status"] == "PASS":
    assert fr["status"] == "PASS", fr
else:
    assert nofr["status"] == "FAIL" and ("no port in SLAVE state (UNCALIBRATED" in msgs or "no port in SLAVE state (LISTENING" in msgs), nofr
    assert fr["status"] == "SKIP" and "free_running 1: the port never reaches SLAVE" in fr["detail"], fr
print("client grandmaster: free_running", fr["status"], fr["detail"], "| without", nofr["status"], msgs)'
expect_exit 2 "$PTPCAL" verify client -s "$E2E_DIR/cl.uds" --ptp4l-conf "$E2E_DIR/none.conf"
netns_stop $w
"$PTPCAL" shm write --unit $unit --interval 0.2s --duration 8s --offset 37s >shmw2.log 2>&1 &
w=$!
NETNS_PIDS="$NETNS_PIDS $w"
wait_for_line shmw2.log "created\|attached" || die "shm write: $(cat shmw2.log)"
sleep 0.5
printf '*192.0.2.7       .GPS.            1 u   33   64  377   0.3120   0.0200   0.0100\n' >out/ntpq-pn.txt
V client -s "$E2E_DIR/cl.uds" --shm-unit $unit >c2.json && die "a 37 s SHM offset passed"
status shm FAIL c2.json
grep -q 'UTC/TAI mix-up' c2.json || die "no 37-second explanation: $(cat c2.json)"
status ntpsec-peer FAIL c2.json
netns_stop $w
# a segment phc2sys made before ntpsec: mode 0600, root's
u2=$(( unit + 1 ))
python3 -c 'import ctypes,sys; l=ctypes.CDLL(None); sys.exit(0 if l.shmget(0x4e545030 + int(sys.argv[1]), 96, 0o1000 | 0o600) >= 0 else 1)' $u2
V client -s "$E2E_DIR/cl.uds" --shm-unit $u2 >c3.json || true
python3 -c 'import ctypes,sys; l=ctypes.CDLL(None); i=l.shmget(0x4e545030 + int(sys.argv[1]), 0, 0); l.shmctl(i, 0, None)' $u2
status shm FAIL c3.json
grep -q 'mode 0600 owned by root' c3.json || die "no permission finding: $(cat c3.json)"
echo "client checks: ok"
expect_exit 2 "$PTPCAL" verify
expect_exit 2 "$PTPCAL" verify both
expect_exit 0 "$PTPCAL" verify --help
