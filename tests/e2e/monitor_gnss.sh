#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal monitor following gpsd, scraped by our own prometheus, through a GNSS loss: real gpsd
# fed by gpsfake (tests/data/gnss-fix-loss.nmea: 3D fix with 8 satellites for 10 s, no fix
# for 8 s, fix for 6 s, then the log ends) in private network, IPC and PID namespaces (gpsd
# creates NTP SHM segments). Through Prometheus's HTTP API: ptpcal_gnss_fix_ok goes 1 -> 0 ->
# 1, mode 3 with 8 satellites used, the shipped GnssLost alert (its `for:` shortened) fires
# during the loss and not before it.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for namespaces"
need gpsfake
need gpsd
need unshare
need prometheus
need promtool
need python3
netns_trap
cd "$E2E_DIR"
Q="$PTPCAL_TOP/tests/e2e/prom_query.py"
gps="$NS_PREFIX-gps"
netns_add "$gps"
port=29$(( $$ % 900 + 100 ))

sed -e 's/^\( *\)for: .*/\1for: 1s/' "$PTPCAL_TOP/scripts/monitor/ptpcal-alerts.yml" >alerts.yml
promtool check rules alerts.yml >/dev/null || die "promtool check rules alerts.yml"
cat >prometheus.yml <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [ "$E2E_DIR/alerts.yml" ]
scrape_configs:
  - job_name: ptpcal
    static_configs:
      - targets: [ "127.0.0.1:9477" ]
EOC
netns_bg "$gps" prometheus.log prometheus --config.file="$E2E_DIR/prometheus.yml" \
    --storage.tsdb.path="$E2E_DIR/tsdb" --web.listen-address=127.0.0.1:9090 --log.level=warn
PROM=$NETNS_LAST_PID
q() { ip netns exec "$gps" python3 "$Q" http://127.0.0.1:9090 "$@"; }
v() { q value "$1" 2>/dev/null || echo none; }
for _ in $(seq 1 40); do q targets >/dev/null 2>&1 && break; sleep 0.25; done
kill -0 $PROM 2>/dev/null || die "prometheus: $(cat prometheus.log)"

cat >inner.sh <<EOI
cd "$E2E_DIR"
TMPDIR="$E2E_DIR" gpsfake -1 -q -c 0.2 -P $port "$PTPCAL_TOP/tests/data/gnss-fix-loss.nmea" >gpsfake.out 2>&1 &
gf=\$!
TMPDIR="$E2E_DIR" python3 "$PTPCAL_TOP/tests/e2e/gpsfake_add.py" \$gf >gpsfake_add.out 2>&1
touch gpsd.ready
wait \$gf
EOI
netns_bg "$gps" sandbox.log unshare --ipc --pid --mount-proc --fork --kill-child sh "$E2E_DIR/inner.sh"
for _ in $(seq 1 40); do [ -e gpsd.ready ] && break; sleep 0.1; done
[ -e gpsd.ready ] || die "gpsfake did not start: $(cat gpsfake.out gpsfake_add.out)"
netns_bg "$gps" monitor.log "$PTPCAL" monitor --listen 127.0.0.1:9477 --gpsd "localhost:$port" \
    --no-ptp4l --no-shm --no-ntpsec --interval 250ms --window 30s
MON=$NETNS_LAST_PID

# Poll Prometheus from one python process (one poll every 0.5 s): until the fix came back
# after the loss with the alert seen, or 45 s.
ip netns exec "$gps" python3 - "$Q" <<'PY' || die "wrong sequence (above)"
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("pq", sys.argv[1])
pq = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pq)
base = "http://127.0.0.1:9090"
def val(expr):
    r = pq.get(base, "/api/v1/query", query=expr)["result"]
    return r[0]["value"][1] if len(r) == 1 else "none"
rows, t0 = [], time.time()
def seq(key):
    v = [r[key] for r in rows if r[key] in ("0", "1")]
    return [x for i, x in enumerate(v) if i == 0 or v[i - 1] != x]
while time.time() - t0 < 45:
    alerts = {a["labels"]["alertname"]: a["state"] for a in pq.get(base, "/api/v1/alerts")["alerts"]}
    r = {"t": "%.1f" % (time.time() - t0), "fix": val("ptpcal_gnss_fix_ok"),
         "up": val('ptpcal_source_up{source="gpsd"}'), "sats": val("ptpcal_gnss_satellites_used"),
         "mode": val("ptpcal_gnss_fix_mode"), "GnssLost": alerts.get("GnssLost", "none")}
    rows.append(r)
    print(" ".join("%s=%s" % kv for kv in r.items()))
    if seq("fix")[:3] == ["1", "0", "1"] and any(x["GnssLost"] == "firing" for x in rows):
        break
    time.sleep(0.5)
u = seq("fix")
assert u[:3] == ["1", "0", "1"], "fix_ok %s" % u
assert any(r["sats"] == "8" and r["mode"] == "3" for r in rows), "never 3D with 8 satellites"
assert any(r["GnssLost"] == "firing" for r in rows), "GnssLost never fired"
i0 = next(i for i, r in enumerate(rows) if r["fix"] == "0")
assert all(r["GnssLost"] != "firing" for r in rows[:i0]), "GnssLost fired with a fix"
assert all(r["up"] == "1" for r in rows if r["fix"] in ("0", "1")), "gpsd seen down during the log"
print("fix_ok %s; 3D with 8 satellites; GnssLost fired during the loss" % " -> ".join(u))
PY
grep -q 'gpsd' monitor.log || die "no gpsd line in the monitor's log: $(cat monitor.log)"
cat monitor.log
