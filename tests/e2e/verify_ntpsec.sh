#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal verify client's SHM and ntpsec-peer checks against the real ntpd (ntpsec): a segment
# fed by `ptpcal shm write` (as phc2sys -E ntpshm would), ntpd in a namespace of its own from
# a private config, without CAP_SYS_TIME (see shm_ntpsec.sh for why), taking the segment as
# its refclock; once ntpq shows it as the system peer ('*'), verify's checks must pass; with
# the writer stopped the SHM check must fail (not ticking).
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for a network namespace"
need ntpd
need ntpq
need setpriv
need python3
netns_trap
cd "$E2E_DIR"
unit=""
for u in $(seq $((220 + $$ % 20)) 239) $(seq 220 239); do
    key=$(printf '0x%08x' $((0x4e545030 + u)))
    if ! ipcs -m | grep -qi "^$key "; then unit=$u; break; fi
done
[ -n "$unit" ] || die "no free SHM unit in 220..239 (its band; shm_ntpsec has 200..219)"
ns="$NS_PREFIX-ntp"
netns_add "$ns"
{
    echo "disable ntp"
    echo "disable kernel"
    echo "driftfile $E2E_DIR/ntp.drift"
    echo "logfile $E2E_DIR/ntpd.log"
    echo "restrict 127.0.0.1"
    echo "restrict ::1"
    echo "refclock shm unit $unit refid PTP minpoll 0 maxpoll 0"
} >ntp.conf
"$PTPCAL" shm write --unit "$unit" --offset 20us --interval 250ms --duration 60s >writer.log 2>&1 &
writer=$!
NETNS_PIDS="$NETNS_PIDS $writer"
wait_for_line writer.log created || die "writer did not create unit $unit: $(cat writer.log)"
netns_bg "$ns" ntpd.out setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
    ntpd -n -c "$E2E_DIR/ntp.conf"
ok=0
for _ in $(seq 1 45); do
    ip netns exec "$ns" ntpq -pn >ntpq.out 2>&1 || true
    # SHM(N), or 127.127.28.N when ntpq lacked the peer's srchost (ntpsec pylib/util.py)
    if grep -q -e "^\*SHM($unit)" -e "^\*127\.127\.28\.$unit " ntpq.out; then ok=1; break; fi
    sleep 1
done
cat ntpq.out
[ $ok = 1 ] || skip "ntpd did not select the SHM refclock within 45 s here (ntpq above)"
# verify runs ntpq itself (no recorded outputs): in ntpd's namespace
ip netns exec "$ns" "$PTPCAL" verify client -i eth9 --shm-unit "$unit" --uds "$E2E_DIR/none.uds" \
    --json >v1.json 2>v1.err || true
python3 - <<'PY'
import json
d = {c["id"]: c for c in json.load(open("v1.json"))["checks"]}
assert d["shm"]["status"] == "PASS", d["shm"]
assert d["ntpsec-peer"]["status"] == "PASS", d["ntpsec-peer"]
assert d["management"]["status"] == "FAIL", d["management"]
print("shm:", d["shm"]["detail"])
print("ntpsec-peer:", d["ntpsec-peer"]["detail"])
PY
netns_stop "$writer"
# a writer that stops (its segment kept): the samples stop changing
"$PTPCAL" shm write --unit "$unit" --interval 100ms --count 3 --keep >writer2.log 2>&1
ip netns exec "$ns" "$PTPCAL" verify client -i eth9 --shm-unit "$unit" --uds "$E2E_DIR/none.uds" \
    --json >v2.json 2>v2.err || true
python3 -c 'import json; d={c["id"]: c for c in json.load(open("v2.json"))["checks"]}; assert d["shm"]["status"] == "FAIL", d["shm"]; m = d["shm"]["findings"][0]["message"]; assert "not ticking" in m or "no valid sample" in m, m; print("stopped writer:", m)'
python3 -c 'import ctypes,sys; l=ctypes.CDLL(None); i=l.shmget(0x4e545030 + int(sys.argv[1]), 0, 0); l.shmctl(i, 0, None)' "$unit"
