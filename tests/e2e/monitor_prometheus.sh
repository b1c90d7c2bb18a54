#!/bin/sh
# ptpcal monitor end to end with the real Prometheus: a lab client (free-running ptp4l behind
# the emulated switch with 600/400 us, i.e. +200 us of path asymmetry) followed by `ptpcal
# monitor` together with an SHM segment of known offset, scraped every second by our own
# prometheus (own config, TSDB and port, inside the client's namespace; the system service
# is never touched). Through Prometheus's HTTP API it checks:
#  - the target is up and the exposition passes `promtool check metrics`;
#  - port state UNCALIBRATED (free_running), the GM's clockClass 6 and identity;
#  - ptp4l's offset (the window median) against the lab's truth: half the realised
#    asymmetry (median one-way delays of the switch's own per-frame log), within 5 standard
#    errors of the run's own samples plus the lab's documented ptp4l-vs-prediction
#    systematic (3 us, docs/lab.md); the mean path delay against (fwd + rev) / 2 of the same
#    log; the recording rule's 5-min mean against the window mean;
#  - the SHM offset exactly as written (ptpcal shm write --offset);
#  - the shipped rules pass `promtool check rules`, and PtpOffsetBeyondLimit fires (its
#    `for:` shortened for the test);
#  - ptp4l killed and restarted mid-run: ptp4l seen down, then back (recoveries_total 1)
#    with offsets flowing again;
#  - the live capture (--capture cl0, the client's port): the window median of the wire
#    exchanges' offset against the same truth and tolerance, exchanges paired;
#  - the checks against the lab's truth: verify's utc-offset as the GM's TIME_PROPERTIES_
#    DATA_SET (read with pmc) and leap-seconds.list say; then the GM switched to announce the
#    PTP timescale with TAI - UTC valid (pmc SET GRANDMASTER_SETTINGS_NP) while its software
#    time stamps stay UTC: utc-offset and capture-utc-offset pass and capture-timescale fails
#    (analyze's 37-second trap seen on the wire), then currentUtcOffset one second off:
#    utc-offset and capture-utc-offset fail, and PtpcalCheckFailed fires;
#  - the capture interface taken down and up: capture down, then back with new exchanges;
#  - the textfile written beside it passes promtool, and SIGTERM stops the monitor (exit 0).
# The monitor starts with CAP_NET_RAW only (setpriv) for its capture and must hold no
# capability at all once running, as its systemd unit does.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need prometheus
need promtool
need python3
netns_require_root || skip "needs root for network namespaces"
cd "$E2E_DIR"
Q="$PTPCAL_TOP/tests/e2e/prom_query.py"
RULES="$PTPCAL_TOP/scripts/monitor"
lab="mon$$"
LAB_UP=0
MYPIDS=""
cleanup() {
    for p in $MYPIDS; do netns_stop "$p"; done
    [ "$LAB_UP" = 1 ] && "$PTPCAL" lab down "$lab" >/dev/null 2>&1
    true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

"$PTPCAL" lab up -q -n "$lab" -o "$E2E_DIR/lab" --no-capture --client --fwd 600us --rev 400us >lab.name
LAB_UP=1
ns="$lab-cl1"
uds="$E2E_DIR/lab/cl1/ptp4l.uds"
# bg LOG CMD...: a process of ours in the client's namespace, stopped by PID at the end
bg() { log=$1; shift; ip netns exec "$ns" "$@" >"$log" 2>&1 & LAST=$!; MYPIDS="$LAST $MYPIDS"; }

unit=$(( 175 + $$ % 25 )) # 175..199: its own band (tests run beside each other)
"$PTPCAL" shm write --unit $unit --offset 250us --interval 0.25s --duration 120s >shmw.log 2>&1 &
MYPIDS="$! $MYPIDS"
# CAP_NET_RAW only, for the capture, which the monitor drops once open; --no-daemons: without
# capabilities it cannot tell the lab's other ptp4l (and those of tests beside it) from its
# own, and a daemons FAIL from the start would fire PtpcalCheckFailed before the GM's change
need setpriv
bg monitor.log setpriv --bounding-set -all,+net_raw --no-new-privs "$PTPCAL" monitor --listen 127.0.0.1:9477 --textfile "$E2E_DIR/ptpcal.prom" \
    --textfile-interval 2s -s "$uds" --shm-unit $unit --no-gpsd --no-ntpsec \
    --interval 250ms --window 60s --truth-offset 0 --capture cl0 --capture-tstamp host --no-daemons
MON=$LAST

# our prometheus: the shipped rules with their `for:` and group interval shortened
sed -e 's/^\( *\)for: .*/\1for: 3s/' "$RULES/ptpcal-alerts.yml" >alerts.yml
sed -e 's/^\( *\)interval: .*/\1interval: 1s/' "$RULES/ptpcal-recording.yml" >recording.yml
promtool check rules "$RULES/ptpcal-alerts.yml" "$RULES/ptpcal-recording.yml" alerts.yml \
    recording.yml >promtool-rules.txt 2>&1 || die "promtool check rules: $(cat promtool-rules.txt)"
# the dashboard's queries parse (as recording rules, its variables replaced), and every
# ptpcal metric the rules and the dashboard name is one docs/monitor.md documents
python3 - "$RULES/grafana-ptpcal.json" "$RULES" "$PTPCAL_TOP/docs/monitor.md" >dash-rules.yml <<'PY' ||
import json, os, re, sys
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
print("groups:\n  - name: dashboard\n    rules:")
for i, e in enumerate(exprs):
    print("      - record: dashboard_query_%d\n        expr: %s" % (i, json.dumps(e.replace("$instance", ".*").replace("$job", ".*"))))
text = " ".join(exprs) + open(os.path.join(sys.argv[2], "ptpcal-alerts.yml")).read() + \
    open(os.path.join(sys.argv[2], "ptpcal-recording.yml")).read()
doc = open(sys.argv[3]).read()
recorded = set(re.findall(r"record: (\S+)", text))
missing = []
for name in sorted(set(re.findall(r"\bptpcal_[a-z0-9_]+", text))):
    base = re.sub(r"_(sum|count)$", "", name)
    pref = re.sub(r"^ptpcal_(ptp_offset|ptp_mean_path_delay|shm_offset|capture_offset|capture_mean_path_delay)_", "PREFIX_", base)
    if base not in doc and pref not in doc and not any(name in r for r in recorded):
        missing.append(name)
if missing:
    sys.exit("not in docs/monitor.md: %s" % missing)
PY
    die "dashboard or rules name undocumented metrics"
promtool check rules dash-rules.yml >promtool-dash.txt 2>&1 || die "dashboard queries: $(cat promtool-dash.txt)"
cat >prometheus.yml <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [ "$E2E_DIR/alerts.yml", "$E2E_DIR/recording.yml" ]
scrape_configs:
  - job_name: ptpcal
    static_configs:
      - targets: [ "127.0.0.1:9477" ]
EOC
bg prometheus.log prometheus --config.file="$E2E_DIR/prometheus.yml" \
    --storage.tsdb.path="$E2E_DIR/tsdb" --web.listen-address=127.0.0.1:9090 --log.level=warn
PROM=$LAST
P="http://127.0.0.1:9090"
q() { ip netns exec "$ns" python3 "$Q" "$P" "$@"; }
v() { q value "$1" 2>/dev/null || echo none; }

# wait until prometheus has scraped the monitor with offsets in it
ok=0
for _ in $(seq 1 60); do
    kill -0 $PROM 2>/dev/null || die "prometheus exited: $(tail -n 5 prometheus.log)"
    kill -0 $MON 2>/dev/null || die "monitor exited: $(cat monitor.log)"
    n=$(v 'ptpcal_ptp_offset_window_samples')
    case $n in none) ;; *) [ "${n%.*}" -ge 20 ] && { ok=1; break; } ;; esac
    sleep 0.5
done
[ $ok = 1 ] || die "no offsets scraped: targets $(q targets 2>&1); monitor: $(tail -n 5 monitor.log)"
# `ip netns exec` and setpriv exec: $MON is the monitor itself
caps=$(awk '$1 ~ /^Cap(Prm|Eff|Amb):/ {printf "%s%s ", $1, $2}' /proc/$MON/status)
case $caps in *Prm:0000000000000000*Eff:0000000000000000*Amb:0000000000000000*) ;;
    *) die "the monitor kept capabilities: $caps" ;; esac
echo "monitor capabilities after start: $caps"
echo "prometheus target: $(q targets)"
[ "$(v 'up{job="ptpcal"}')" = 1 ] || die "target not up"
ip netns exec "$ns" python3 -c 'import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:9477/metrics").read().decode())' >scrape.txt
promtool check metrics <scrape.txt >promtool-metrics.txt 2>&1 || die "promtool check metrics: $(cat promtool-metrics.txt)"

sleep 20 # a window of samples
[ "$(v 'ptpcal_ptp_port_state')" = 8 ] || die "port state $(q query ptpcal_ptp_port_state)"
[ "$(v 'ptpcal_ptp_gm_clock_class')" = 6 ] || die "clockClass $(v ptpcal_ptp_gm_clock_class)"
gmid=$("$PTPCAL" pmc -s "$E2E_DIR/lab/gm/ptp4l.uds" GET DEFAULT_DATA_SET | awk '$1 == "clockIdentity" {print $2}')
q query ptpcal_ptp_grandmaster_info | grep -q "gm_identity=\"$gmid\"" ||
    die "grandmaster $(q query ptpcal_ptp_grandmaster_info), the GM is $gmid"
[ "$(v 'ptpcal_source_up{source="ptp4l"}')" = 1 ] || die "ptp4l not up"
[ "$(v 'ptpcal_source_up{source="shm"}')" = 1 ] || die "shm not up"
# the SHM segment: receive - clock = -250 us exactly (the writer's clock = system + 250 us)
python3 -c 'import sys; x = float(sys.argv[1]); sys.exit(0 if abs(x + 250e-6) < 2e-9 else "shm offset %r" % x)' "$(v 'ptpcal_shm_offset_seconds')"
echo "shm offset: $(v 'ptpcal_shm_offset_seconds') s (written: clock = system + 250 us)"

# The truth: the switch's realised one-way delays of the Syncs (master -> slave) and the
# Delay_Reqs (slave -> master), from its own per-frame log. Medians, not means: this 2-core
# VM delays a few frames by milliseconds, and ptp4l's median delay filter (tsproc.c) ignores
# those in the path delay while the Sync they hit gives one wild offset.
mq() { v "ptpcal_ptp_offset_window_seconds{quantile=\"$1\"}"; }
python3 - lab/switch/frames.tsv "$(mq 0.5)" "$(mq 0.05)" "$(mq 0.95)" \
    "$(v ptpcal_ptp_offset_window_samples)" "$(v ptpcal_ptp_offset_window_mean_seconds)" \
    "$(v ptpcal_ptp_offset_window_stddev_seconds)" "$(v ptpcal_ptp_mean_path_delay_seconds)" \
    "$(v 'instance:ptpcal_ptp_offset_seconds:mean5m')" \
    "$(v 'ptpcal_ptp_offset_bias_seconds - ptpcal_ptp_offset_window_mean_seconds')" \
    "$(v 'ptpcal_capture_offset_window_seconds{quantile="0.5"}')" \
    "$(v 'ptpcal_capture_offset_window_seconds{quantile="0.05"}')" \
    "$(v 'ptpcal_capture_offset_window_seconds{quantile="0.95"}')" \
    "$(v 'ptpcal_capture_offset_window_samples')" "$(v 'ptpcal_capture_mean_path_delay_window_seconds{quantile="0.5"}')" <<'PY' ||
import math, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith("#")]
c = {k: i for i, k in enumerate(rows[0])}
def res(d, t):
    return [float(r[c["residence_ns"]]) for r in rows[1:]
            if r[c["fate"]] == "sent" and r[c["dir"]] == d and r[c["type"]] == t]
fwd, rev = statistics.median(res("fwd", "Sync")), statistics.median(res("rev", "Delay_Req"))
med, p05, p95, n, mean, std, delay, rec, bias, cmed, c05, c95, cn, cdelay = map(float, sys.argv[2:])
truth = (fwd - rev) / 2 * 1e-9   # IEEE 1588: offset = theta + (d_ms - d_sm) / 2, theta = 0 here
sigma = (p95 - p05) / 3.29       # the run's own spread, robust to the VM's outliers
tol = 5 * 1.2533 * sigma / math.sqrt(n) + 3e-6  # 5 standard errors of a median + docs/lab.md
print("offset window median %+.2f us (mean %+.2f, std %.2f, p05..p95 %.2f..%.2f us, n %d) vs truth "
      "%+.2f us (median switch delays fwd %.2f us, rev %.2f us): tolerance %.2f us"
      % (med * 1e6, mean * 1e6, std * 1e6, p05 * 1e6, p95 * 1e6, n, truth * 1e6, fwd / 1e3,
         rev / 1e3, tol * 1e6))
assert abs(med - truth) < tol, "offset"
want = (fwd + rev) / 2 * 1e-9
print("mean path delay %.2f us vs the switch's (fwd + rev) / 2 = %.2f us (plus the veth hops)"
      % (delay * 1e6, want * 1e6))
assert -3e-6 < delay - want < 20e-6, "path delay"
print("recording rule mean5m %+.2f us vs window mean %+.2f us; bias - window mean (--truth-offset 0) %g"
      % (rec * 1e6, mean * 1e6, bias))
assert abs(rec - mean) < 5 * std / math.sqrt(n) + 1e-6, "recording rule"
assert abs(bias) < 1e-12, "bias"
# The capture: (t2 - t1 - (t4 - t3)) / 2 of each exchange, with host time stamps at the
# capture tap, which lies a few us from where ptp4l stamps (the tap sees a Delay_Req before
# the driver's software TX stamp). Whatever lies outside the switch (veth hops, the stacks
# between the GM's stamps and our tap) adds extra = (measured delay - the switch's) on
# average, and its asymmetry can bias the offset by at most that much: the tolerance is 5
# standard errors plus this run's extra.
csig = (c95 - c05) / 3.29
extra = max(cdelay - want, 0.0)
ctol = 5 * 1.2533 * csig / math.sqrt(cn) + extra
print("capture offset window median %+.2f us (p05..p95 %.2f..%.2f us, n %d) vs truth %+.2f us: "
      "tolerance %.2f us (mean path delay %.2f us: %.2f us beyond the switch's)"
      % (cmed * 1e6, c05 * 1e6, c95 * 1e6, cn, truth * 1e6, ctol * 1e6, cdelay * 1e6, extra * 1e6))
assert cn >= 20, "capture samples"
assert abs(cmed - truth) < ctol, "capture offset"
assert -3e-6 < cdelay - want < 20e-6, "capture path delay"
PY
    lab_fail_or_skip "$E2E_DIR/lab" "values off the lab's truth"
# TDEV/MTIE series exist at tau 1 s and 10 s
q query 'ptpcal_ptp_offset_tdev_seconds' | grep -q 'tau_seconds="10"' || die "no TDEV at 10 s: $(q query ptpcal_ptp_offset_tdev_seconds)"
echo "TDEV: $(q query ptpcal_ptp_offset_tdev_seconds | tr '\n' ' ')"

# The checks against the lab's truth. verify's utc-offset rule on the GM's own
# TIME_PROPERTIES_DATA_SET and leap-seconds.list: FAIL when currentUtcOffset is not TAI - UTC
# or ptpTimescale is 0, WARN when not valid, PASS otherwise.
LEAP=/usr/share/zoneinfo/leap-seconds.list
[ -r "$LEAP" ] || skip "no $LEAP"
L=$(awk '!/^#/ && NF >= 2 {x = $2} END {print x}' "$LEAP")
gmtp() { "$PTPCAL" pmc -s "$E2E_DIR/lab/gm/ptp4l.uds" GET TIME_PROPERTIES_DATA_SET; }
expect_utc() { # the status verify's rule gives the GM's properties now
    gmtp | awk -v L="$L" '$1 == "currentUtcOffset" {o = $2} $1 == "ptpTimescale" {t = $2}
        $1 == "currentUtcOffsetValid" {val = $2} END {print (o != L || t != 1) ? 2 : (val != 1) ? 1 : 0}'
}
# wait_check CHECK STATUS: the series in Prometheus reaches it within 20 s
wait_check() {
    for _ in $(seq 1 80); do
        [ "$(v "ptpcal_check_status{check=\"$1\"}")" = "$2" ] && return 0
        sleep 0.25
    done
    die "check $1: status $(v "ptpcal_check_status{check=\"$1\"}"), want $2 ($3); GM: $(gmtp | tr '\n' ' '); monitor: $(grep "check $1" monitor.log | tail -n 2)"
}
want=$(expect_utc)
wait_check utc-offset "$want" "the GM's properties as they are"
echo "utc-offset: status $want as the GM's properties say ($(gmtp | grep -E 'currentUtcOffset|ptpTimescale' | tr -s ' ' | tr '\n' ' '))"
"$PTPCAL" pmc -s "$E2E_DIR/lab/gm/ptp4l.uds" SET GRANDMASTER_SETTINGS_NP currentUtcOffset "$L" \
    currentUtcOffsetValid 1 ptpTimescale 1 >gmset.txt || die "pmc SET: $(cat gmset.txt)"
[ "$(expect_utc)" = 0 ] || die "the GM did not take the settings: $(gmtp | tr '\n' ' ')"
wait_check utc-offset 0 "PTP timescale, currentUtcOffset $L valid"
wait_check capture-utc-offset 0 "Announces with currentUtcOffset $L valid"
# the lab GM stamps with CLOCK_REALTIME (software): UTC-valued origins under ptpTimescale
wait_check capture-timescale 2 "UTC-valued origin timestamps announced as TAI"
grep 'check capture-timescale: FAIL' monitor.log | tail -n 1
"$PTPCAL" pmc -s "$E2E_DIR/lab/gm/ptp4l.uds" SET GRANDMASTER_SETTINGS_NP currentUtcOffset $((L - 1)) >gmset.txt ||
    die "pmc SET: $(cat gmset.txt)"
wait_check utc-offset 2 "currentUtcOffset $((L - 1)) valid, TAI - UTC $L"
wait_check capture-utc-offset 2 "Announces with currentUtcOffset $((L - 1)) valid"
[ "$(v 'ptpcal_check_ok{check="utc-offset"}')" = 0 ] || die "ptpcal_check_ok disagrees with the status"
grep 'check utc-offset: FAIL' monitor.log | tail -n 1
# wait_alert NAME: firing within 20 s
wait_alert() {
    for _ in $(seq 1 40); do
        q alerts | grep -q "^$1 firing" && return 0
        sleep 0.5
    done
    die "$1 not firing: $(q alerts)"
}
wait_alert PtpcalCheckFailed
echo "checks: $(q query 'ptpcal_check_status' | tr '\n' ' ')"

# the alert: +100 us is far beyond the shipped 1 us limit
wait_alert PtpOffsetBeyondLimit
echo "alerts: $(q alerts | tr '\n' ';')"

# wait_down SOURCE: ptpcal_source_up 0 within 10 s
wait_down() {
    for _ in $(seq 1 40); do
        [ "$(v "ptpcal_source_up{source=\"$1\"}")" = 0 ] && return 0
        sleep 0.25
    done
    return 1
}
# wait_recovered SOURCE COUNTER BEFORE DELTA: within 30 s the source is up again after one
# outage (recoveries_total 1) and COUNTER grew by more than DELTA since BEFORE
wait_recovered() {
    for _ in $(seq 1 120); do
        up=$(v "ptpcal_source_up{source=\"$1\"}")
        rcv=$(v "ptpcal_source_recoveries_total{source=\"$1\"}")
        cnt=$(v "$2")
        if [ "$up" = 1 ] && [ "$rcv" = 1 ] && [ "${cnt%.*}" -gt "$(( ${3%.*} + $4 ))" ] 2>/dev/null; then
            return 0
        fi
        sleep 0.25
    done
    die "$1 did not recover: up $up, recoveries $rcv, $2 $3 -> $cnt; $(tail -n 5 monitor.log)"
}

# ptp4l restarted mid-run: stop the lab's client ptp4l (ours: the lab was started here), run
# it again with the same config, and see the monitor follow it
. "$E2E_DIR/lab/lab.state"
old=""
for st in $LAB_PIDS; do
    pid=${st%%:*}
    case $st in *:"$ns") grep -q ptp4l "/proc/$pid/cmdline" 2>/dev/null && old=$pid ;; esac
done
[ -n "$old" ] || die "no ptp4l of cl1 in the lab state"
before=$(v 'ptpcal_ptp_offset_window_seconds_count')
kill -TERM "$old" # not our child (the lab runs detached): no netns_stop, whose wait fails
for _ in $(seq 1 25); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
wait_down ptp4l || die "ptp4l stopped but the monitor still says up"
echo "ptp4l stopped: ptpcal_source_up 0 in Prometheus"
sleep 2
bg ptp4l-restarted.log ptp4l -m -f "$E2E_DIR/lab/cl1/ptp4l.conf" -i cl0
wait_recovered ptp4l ptpcal_ptp_offset_window_seconds_count "$before" 8
echo "ptp4l restarted: up again, recoveries_total $rcv, offset samples $before -> $cnt"
grep -q 'ptp4l is back' monitor.log || die "no recovery logged: $(cat monitor.log)"

# the capture's interface down and up: the capture source down, then back on the same
# socket (its capability is gone: it could not open a new one) with new exchanges
cex=$(v 'ptpcal_capture_exchanges_total')
ip netns exec "$ns" ip link set cl0 down
wait_down capture || { ip netns exec "$ns" ip link set cl0 up; die "cl0 down but the capture still up"; }
sleep 1
ip netns exec "$ns" ip link set cl0 up
wait_recovered capture ptpcal_capture_exchanges_total "$cex" 4
echo "cl0 down and up: capture back, recoveries_total $rcv, exchanges $cex -> $cnt"

# the textfile, and a clean stop on SIGTERM
promtool check metrics <ptpcal.prom >promtool-textfile.txt 2>&1 || die "textfile: $(cat promtool-textfile.txt)"
grep -q '^ptpcal_ptp_offset_seconds ' ptpcal.prom || die "textfile without the offset"
kill -TERM $MON
for _ in $(seq 1 20); do kill -0 $MON 2>/dev/null || break; sleep 0.1; done
kill -0 $MON 2>/dev/null && die "monitor still running 2 s after SIGTERM"
wait $MON || die "monitor exited $? on SIGTERM"
MYPIDS=$(echo "$MYPIDS" | sed "s/\b$MON\b//")
grep -q 'stopping (signal 15)' monitor.log || die "no stop logged: $(cat monitor.log)"
[ ! -e ptpcal.prom.tmp ] || die "temporary textfile left behind"
echo "SIGTERM: exit 0; monitor log:"
cat monitor.log
