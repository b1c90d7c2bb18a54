#!/bin/sh
# e2e: daemons (a private namespace with a veth pair and the monitor in it: no host port, no
# SHM unit, no verdict on the machine keeping time)
# ptpcal monitor --capture on an interface without hardware time stamping (a veth, what this
# machine has): asking for hardware stamps (--capture-tstamp hw or hw-unsynced) is refused
# before anything is exported, with one line naming the interface, what it offers and a
# remedy the monitor has, exit 2, no textfile, and the interface's time stamping untouched;
# host stamps (the default) capture. The hardware path itself cannot be tested here (no NIC
# with a PHC) and is not faked. The same interface has no PHC: verify's phc-tai check in the
# monitor is a skip that says so, in verify's words, and is absent from the exposition.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ethtool
netns_require_root || skip "needs root for network namespaces"
netns_trap
cd "$E2E_DIR"
ns="$NS_PREFIX-mc" peer="$NS_PREFIX-mp"
netns_add "$ns"
netns_add "$peer"
netns_veth "$ns" veth0 "$peer" veth0
ip netns exec "$ns" ethtool -T veth0 >ts-before.txt
grep -q '^PTP Hardware Clock: none' ts-before.txt ||
    skip "veth0 has a PHC here ($(grep 'PTP Hardware Clock' ts-before.txt)): not the case this tests"
one_line() { [ "$(wc -l <"$ERR")" = 1 ] || die "not one line: $(cat "$ERR")"; grep -q "$1" "$ERR" || die "stderr lacks '$1': $(cat "$ERR")"; }
M() { ip netns exec "$ns" "$PTPCAL" monitor --textfile "$E2E_DIR/m.prom" -s "$E2E_DIR/none.uds" \
    --no-shm --no-gpsd --no-ntpsec --capture veth0 "$@"; }

# hardware stamps asked for: refused, one line, the monitor's own remedy (it has no
# --allow-host-timestamps), nothing written, also with --listen (the socket is let go)
for t in hw hw-unsynced; do
    case $t in hw) name=adapter ;; *) name=adapter_unsynced ;; esac
    expect_exit 2 M --capture-tstamp $t -t 2
    one_line "veth0: no $name timestamps (the interface offers: host); give --capture-tstamp host"
    grep -q 'allow-host-timestamps' "$ERR" && die "names an option the monitor lacks: $(cat "$ERR")"
    [ ! -e m.prom ] || die "--capture-tstamp $t: a refused capture left a textfile"
    expect_exit 2 M --capture-tstamp $t --listen 127.0.0.1:9477 -t 2
    one_line "veth0: no $name timestamps"
done
ip netns exec "$ns" ethtool -T veth0 >ts-after.txt
cmp -s ts-before.txt ts-after.txt || die "the refusal changed veth0's time stamping: $(diff ts-before.txt ts-after.txt)"

# host stamps (the default): it captures (on the port the refused runs had bound: let go),
# says so, and phc-tai is a skip naming the reason
M --listen 127.0.0.1:9477 -t 2.5 2>host.err || die "host stamps: exit $? ($(cat host.err))"
grep -q '^ptpcal_capture_info{interface="veth0",tstamp="host"} 1$' m.prom ||
    die "no capture_info for host stamps: $(grep capture_info m.prom)"
grep -q 'check phc-tai: SKIP: veth0 has no PHC (ethtool -T: PTP Hardware Clock: none)' host.err ||
    die "phc-tai did not say there is no PHC: $(cat host.err)"
grep -q 'check="phc-tai"' m.prom && die "a skipped phc-tai is exported: $(grep phc-tai m.prom)"
# verify says the same of the same interface
ip netns exec "$ns" "$PTPCAL" verify server -i veth0 -s "$E2E_DIR/none.uds" --json >v.json 2>v.err || true
python3 - v.json <<'PY' || die "verify's phc-tai: $(cat v.json v.err)"
import json, sys
c = {x["id"]: x for x in json.load(open(sys.argv[1]))["checks"]}["phc-tai"]
assert c["status"] == "SKIP" and c["detail"].startswith("veth0 has no PHC"), c
PY
echo "hw and hw-unsynced refused in one line each, exit 2; host stamps capture; phc-tai: $(sed -n 's/.*check phc-tai: //p' host.err)"
