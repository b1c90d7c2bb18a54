#!/bin/sh
# ptpcal doctor on the live system, in a namespace of ours: two real ptp4l on one interface
# (the guide's "second ptp4l running") are found by PID; ptp4l processes of other network
# namespaces (other labs on this host) are not counted; after stopping one, the check passes.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need python3
netns_require_root || skip "needs root for network namespaces"
netns_trap
cd "$E2E_DIR"
a="$NS_PREFIX-a" b="$NS_PREFIX-b"
netns_add "$a"
netns_add "$b"
netns_veth "$a" veth0 "$b" veth0
PTP4L_UDS="$E2E_DIR/one.uds" ptp4l_conf gm L2 >one.conf
PTP4L_UDS="$E2E_DIR/two.uds" ptp4l_conf gm L2 >two.conf
PTP4L_UDS="$E2E_DIR/other.uds" ptp4l_conf gm L2 >other.conf
netns_bg "$a" one.log ptp4l -m -f one.conf -i veth0
p1=$NETNS_LAST_PID
netns_bg "$a" two.log ptp4l -m -f two.conf -i veth0
p2=$NETNS_LAST_PID
netns_bg "$b" other.log ptp4l -m -f other.conf -i veth0
sleep 1
# netns_bg's PIDs are those of `ip netns exec`, which execs ptp4l: the same processes
ip netns exec "$a" "$PTPCAL" doctor -i veth0 --json >d1.json 2>d1.err || true
python3 - "$p1" "$p2" <<'PY'
import json, sys
p1, p2 = sys.argv[1], sys.argv[2]
c = [c for c in json.load(open("d1.json"))["checks"] if c["id"] == "duplicate-ptp4l"][0]
assert c["status"] == "FAIL", c
where = " ".join(f["where"] for f in c["findings"])
assert "process " + p1 in where and "process " + p2 in where, c
msgs = " ".join(f["message"] for f in c["findings"])
assert "also runs as" in msgs, c
print("two ptp4l on veth0 found:", where)
PY
netns_stop "$p2"
ip netns exec "$a" "$PTPCAL" doctor -i veth0 --json >d2.json 2>d2.err || true
python3 - <<'PY'
import json
c = [c for c in json.load(open("d2.json"))["checks"] if c["id"] == "duplicate-ptp4l"][0]
assert c["status"] == "PASS", c
assert "other network namespaces" in c["detail"], c
print("after stopping one:", c["detail"])
PY
