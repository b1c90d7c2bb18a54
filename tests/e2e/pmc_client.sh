#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal's own management client against the real ptp4l: a grandmaster and a client in two
# namespaces, each with a private uds_address. Every dataset ptpcal decodes is compared field
# by field with linuxptp's own `pmc -u -b 0 -s PATH` on both daemons; a SET of
# GRANDMASTER_SETTINGS_NP by ptpcal is seen by linuxptp's pmc on the GM and, through the
# Announce, in the client's PARENT_DATA_SET; bad sockets and names fail cleanly.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need pmc
need python3
netns_require_root || skip "needs root for network namespaces"
netns_trap
cd "$E2E_DIR"
cmp="$PTPCAL_TOP/tests/e2e/pmc_compare.py"
gm="$NS_PREFIX-gm" cl="$NS_PREFIX-cl"
netns_add "$gm"
netns_add "$cl"
netns_veth "$gm" veth0 "$cl" veth0
PTP4L_UDS="$E2E_DIR/gm.uds" ptp4l_conf gm L2 >gm.conf
PTP4L_UDS="$E2E_DIR/cl.uds" ptp4l_conf client L2 >cl.conf
netns_bg "$gm" gm.log ptp4l -m -f gm.conf -i veth0
netns_bg "$cl" cl.log ptp4l -m -f cl.conf -i veth0
# wait until the client has chosen the GM (its parent is no longer itself)
for _ in $(seq 1 40); do
    pmc -u -b 0 -s "$E2E_DIR/cl.uds" "GET PORT_DATA_SET" 2>/dev/null | grep -Eq 'portState +(UNCALIBRATED|SLAVE)' && break
    sleep 0.25
done
for node in gm cl; do
    for ds in TIME_PROPERTIES_DATA_SET PARENT_DATA_SET CURRENT_DATA_SET PORT_DATA_SET \
              DEFAULT_DATA_SET TIME_STATUS_NP GRANDMASTER_SETTINGS_NP; do
        "$PTPCAL" pmc --uds "$E2E_DIR/$node.uds" GET "$ds" >"ours-$node-$ds.txt"
        pmc -u -b 0 -s "$E2E_DIR/$node.uds" "GET $ds" >"pmc-$node-$ds.txt"
        res=$(python3 "$cmp" "ours-$node-$ds.txt" "pmc-$node-$ds.txt") || die "$node $ds differs: $res"
        echo "$node $ds: $res"
    done
done
# the client sees the GM: grandmaster identity = the GM's own clock identity
gmid=$(awk '$1 == "clockIdentity" {print $2}' ours-gm-DEFAULT_DATA_SET.txt)
grep -q "grandmasterIdentity *$gmid" ours-cl-PARENT_DATA_SET.txt || die "client's parent is not the GM $gmid"
# JSON output parses and carries the same class
"$PTPCAL" pmc --uds "$E2E_DIR/cl.uds" --json GET PARENT_DATA_SET >parent.json
python3 -c 'import json,sys; d=json.load(open("parent.json")); a=d["answers"][0]["fields"]; sys.exit(0 if a["gm.ClockClass"] == 6 else "class %s" % a["gm.ClockClass"])'

# SET by ptpcal, seen by linuxptp's pmc on the GM and by the client through the Announce
"$PTPCAL" pmc --uds "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP clockClass 7 timeTraceable 1 >set.txt
grep -Eq 'clockClass +7' set.txt || die "SET answer: $(cat set.txt)"
pmc -u -b 0 -s "$E2E_DIR/gm.uds" "GET GRANDMASTER_SETTINGS_NP" >gs.txt
grep -Eq 'clockClass +7' gs.txt || die "pmc does not see clockClass 7: $(cat gs.txt)"
grep -Eq 'timeTraceable +1' gs.txt || die "pmc does not see timeTraceable 1"
grep -Eq 'currentUtcOffset +37' gs.txt || die "SET changed a field it was not given"
ok=0
for _ in $(seq 1 20); do
    pmc -u -b 0 -s "$E2E_DIR/cl.uds" "GET PARENT_DATA_SET" | grep -Eq 'gm.ClockClass +7' && { ok=1; break; }
    sleep 0.25
done
[ "$ok" = 1 ] || die "client never saw clockClass 7 in the GM's Announce"
echo "SET clockClass 7 by ptpcal seen by the client"

# bad inputs
expect_exit 2 "$PTPCAL" pmc --uds "$E2E_DIR/nonexistent" GET PARENT_DATA_SET
grep -q 'nonexistent' "$ERR" || die "no path in: $(cat "$ERR")"
expect_exit 2 "$PTPCAL" pmc --uds "$E2E_DIR/gm.conf" GET PARENT_DATA_SET
grep -q 'not a socket' "$ERR" || die "regular file: $(cat "$ERR")"
expect_exit 2 "$PTPCAL" pmc --uds "$E2E_DIR/gm.uds" GET NO_SUCH_SET
expect_exit 2 "$PTPCAL" pmc --uds "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP clockClass 300
expect_exit 2 "$PTPCAL" pmc --uds "$E2E_DIR/gm.uds" SET PARENT_DATA_SET x 1
# a socket nobody answers on: exit 1 within the timeout
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); time.sleep(5)' "$E2E_DIR/mute.uds" &
mute=$!
NETNS_PIDS="$NETNS_PIDS $mute"
# until it is bound (python's start-up took more than 0.3 s on a loaded machine)
for _ in $(seq 1 100); do [ -S "$E2E_DIR/mute.uds" ] && break; sleep 0.05; done
[ -S "$E2E_DIR/mute.uds" ] || die "the mute socket was never bound"
expect_exit 1 "$PTPCAL" pmc --uds "$E2E_DIR/mute.uds" --timeout 300 GET PARENT_DATA_SET
grep -q 'no answer' "$ERR" || die "mute socket: $(cat "$ERR")"
# another domain: ptp4l ignores us
expect_exit 1 "$PTPCAL" pmc --uds "$E2E_DIR/gm.uds" --domain 7 --timeout 300 GET PARENT_DATA_SET
# options after GET NAME / among SET's pairs; a negative VALUE stays a value
"$PTPCAL" pmc GET PORT_DATA_SET --json --uds "$E2E_DIR/cl.uds" >port.json
python3 -c 'import json,sys; d=json.load(open("port.json")); sys.exit(0 if d["id"] == "PORT_DATA_SET" and d["answers"] else "bad: %s" % d)'
"$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP currentUtcOffset -1 --json clockClass 6 -t 800 >neg.json
python3 -c 'import json,sys; a=json.load(open("neg.json"))["answers"][0]["fields"]; sys.exit(0 if a["currentUtcOffset"] == -1 and a["clockClass"] == 6 else "bad: %s" % a)'
"$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP currentUtcOffset 37 -- >/dev/null
pmc -u -b 0 -s "$E2E_DIR/gm.uds" "GET GRANDMASTER_SETTINGS_NP" | grep -Eq 'currentUtcOffset +37' || die "currentUtcOffset not back to 37"
expect_exit 2 "$PTPCAL" pmc GET PORT_DATA_SET --uds "$E2E_DIR/cl.uds" --bogus
expect_exit 2 "$PTPCAL" pmc GET PORT_DATA_SET --uds "$E2E_DIR/cl.uds" extra
expect_exit 2 "$PTPCAL" pmc GET PORT_DATA_SET --uds
expect_exit 2 "$PTPCAL" pmc -s "$E2E_DIR/gm.uds" SET GRANDMASTER_SETTINGS_NP clockClass
echo "bad inputs: ok"
