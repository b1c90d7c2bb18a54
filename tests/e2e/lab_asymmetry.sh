#!/bin/sh
# The lab end to end: real ptp4l (installed version, free_running 1, software timestamps)
# through ptpcal's emulated switch, with known injected asymmetry.
#
# IEEE 1588 predicts the offset a free-running slave measures (offset = slave - master):
#     offset = theta + (d_ms - d_sm)/2,    theta = 0 here (every namespace reads one clock)
# so +200 us of asymmetry (d_ms - d_sm) must read +100 us and -150 us must read -75 us.
# d_ms and d_sm are taken from the switch's own per-frame log (exact, one clock: what the
# switch really did, including its scheduling error), exchange by exchange, by
# `ptpcal lab replay`. With a transparent clock the correction it adds is subtracted.
#
# Where the floor belongs: the capture at the client stamps each Delay_Req a few us before
# ptp4l's own transmit timestamp (docs/errata.md item 9), so every capture-based offset reads
# a few us low even at zero asymmetry. That floor is the measuring instrument's, not the
# path's, so it belongs in the prediction of what the CAPTURE reads: it is measured in the
# same run on a client with zero injected asymmetry (cl1) and added. ptp4l's own offsets
# have no such floor and are compared with the bare prediction.
#
# "Honest interval": the 95 % interval of the mean offset (analyze/bias.h) must contain the
# prediction; the floor's intervals of all clients must agree with each other (chi-square,
# 99 %); and the interval must agree with the spread of five segment means (ratio 1/3..3),
# and be narrow enough that the test can fail.
#
# Run A: L2, cl1 symmetric, cl2 +200 us, cl3 -150 us, cl4 600 us of asymmetry behind a
# one-step transparent clock (bias ~ 0). Run B: UDPv4, cl1 symmetric, cl2 a two-step TC,
# cl3 a faulty TC (writes 0.9 x the residence); validate-switch must pass cl2 and fail cl3,
# from the switch log and from two-point captures.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for network namespaces"
need ptp4l
need tcpdump
need python3
cd "$E2E_DIR"
chmod 755 "$E2E_DIR"

# --- run A: L2 --------------------------------------------------------------------------
"$PTPCAL" lab run -q -n "${NS_PREFIX}a" -o "$E2E_DIR/l2" -d 60s --seed 11 \
    --client --fwd 400us --rev 400us \
    --client --fwd 600us --rev 400us \
    --client --fwd 500us --rev 650us \
    --client --fwd 900us --rev 300us --tc one-step
ip netns list | grep -q "^${NS_PREFIX}a-" && die "namespaces of run A left behind"
rc=0
"$PTPCAL" lab replay --json "$E2E_DIR/l2" >l2.json || rc=$?
[ $rc -le 1 ] || die "lab replay failed on run A (exit $rc)"
grep -q '^# injected_asymmetry_ns: 200000' l2/cl2/exchanges.tsv || die "no truth in cl2's exchanges"
grep -q '^# truth_offset_ns: 0' l2/manifest.tsv || die "no truth in the manifest"

python3 - l2.json l2/manifest.tsv <<'EOF'
import json, math, sys
r = json.load(open(sys.argv[1]))
c = {x["client"]: x for x in r["clients"]}
man = {}
for line in open(sys.argv[2]):
    if line.startswith("#") or line.startswith("client\t"):
        continue
    f = line.rstrip("\n").split("\t")
    man[f[0]] = float(f[10])  # injected_asymmetry_ns (configured)
fail = []
def hw(b): return (b["ci_hi_ns"] - b["ci_lo_ns"]) / 2
# Pass/fail at 99.9 % (z 3.29), not 95 %: this script makes about eight comparisons, and at
# 95 % each an honest interval would fail one of them in about a third of all runs. Whether
# the 95 % intervals are honest is checked separately (stderr against segment means).
Z = 3.29 / 1.96
# Each client's capture tap has a floor of its own: on a quiet machine they differ by 0.1-0.3 us
# (per-client floors from the switch log, e.g. -1.66 / -1.73 / -1.93 us in one run), which no
# statistical interval covers when one client's floor is used for another. Allowed: 0.5 us.
ALLOW = 500.0
F, hF = c["cl1"]["floor"]["mean_ns"], hw(c["cl1"]["floor"])
print(f"floor (cl1, zero asymmetry): {F:.1f} ns +- {hF:.1f} (95 %), spread {c['cl1']['floor']['std_ns']:.0f} ns")
if not (-10000 < F < 2000): fail.append(f"floor {F:.0f} ns outside the plausible -10..+2 us")
for name, want in (("cl2", 200000), ("cl3", -150000)):
    x = c[name]
    assert man[name] == want, (name, man[name])
    pred = x["truth_asymmetry_ns"] / 2          # IEEE 1588: theta + (d_ms - d_sm)/2, theta = 0
    m, h = x["offset"]["mean_ns"], hw(x["offset"])
    print(f"{name}: injected {want/1e3:+.0f} us, realised {x['truth_asymmetry_ns']/1e3:+.2f} us; "
          f"predicted offset {pred/1e3:+.3f} us + floor -> {(pred+F)/1e3:+.3f} us; measured "
          f"{m/1e3:+.3f} us +- {h/1e3:.3f}")
    if abs(m - (pred + F)) > (Z * math.hypot(h, hF) + ALLOW):
        fail.append(f"{name}: measured {m:.0f} ns, predicted {pred + F:.0f} ns: outside +-{(Z * math.hypot(h, hF) + ALLOW):.0f}")
    if abs(x["truth_asymmetry_ns"] - want) > 0.25 * abs(want):
        fail.append(f"{name}: the switch realised {x['truth_asymmetry_ns']:.0f} ns for {want} ns")
    if h > 40000: fail.append(f"{name}: interval +-{h:.0f} ns too wide to test anything")
    p = x.get("ptp4l_offset")
    if not p: fail.append(f"{name}: no ptp4l samples")
    else:
        # ptp4l: its own timestamps (no capture floor); its offset uses the median-filtered
        # path delay (tsproc.c), which differs from the mean under the switch's skewed tails
        print(f"{name}: ptp4l's own offsets {p['mean_ns']/1e3:+.3f} us (n {p['n']}) vs {pred/1e3:+.3f} us")
        if abs(p["mean_ns"] - pred) > 15000:
            fail.append(f"{name}: ptp4l's mean offset {p['mean_ns']:.0f} ns, predicted {pred:.0f} ns")
# the transparent clock removes 600 us of path asymmetry
x = c["cl4"]
m, h = x["offset"]["mean_ns"], hw(x["offset"])
print(f"cl4: TC one-step, injected {man['cl4']/1e3:.0f} us; bias above floor {(m-F)/1e3:+.3f} us +- "
      f"{(Z * math.hypot(h, hF) + ALLOW)/1e3:.3f}; residual truth after correction {x['truth_asymmetry_ns']:.0f} ns")
if man["cl4"] != 600000: fail.append("cl4: configured asymmetry is not 600 us")
if abs(m - F - x["truth_asymmetry_ns"] / 2) > (Z * math.hypot(h, hF) + ALLOW): fail.append("cl4: bias not the prediction")
if abs(m - F) > 5000: fail.append(f"cl4: bias {m - F:.0f} ns above the floor with a transparent clock")
p = x.get("ptp4l_offset")
if not p or abs(p["mean_ns"]) > 5000: fail.append(f"cl4: ptp4l's own offset {p and p['mean_ns']} not ~0")
# floors agree across clients (the same instrument, up to each tap's own offset: ALLOW/2 as
# a systematic standard deviation): chi-square with 3 dof at 99 %
chi = 0
for k in ("cl2", "cl3", "cl4"):
    f = c[k]["floor"]
    se = math.hypot(math.hypot(hw(f), hF) / 1.96, ALLOW / 2)
    chi += ((f["mean_ns"] - F) / se) ** 2
    print(f"{k}: floor {f['mean_ns']:.1f} ns +- {hw(f):.1f}")
    if hw(f) > 1500: fail.append(f"{k}: floor interval +-{hw(f):.0f} ns too wide")
print(f"floors' chi-square {chi:.2f} (3 dof, 99 % limit 11.34)")
if chi > 11.34: fail.append(f"floors disagree (chi-square {chi:.1f}): intervals too narrow")
# interval against the spread of five segment means
for k in ("cl1", "cl2", "cl3", "cl4"):
    s = c[k]["segment_means_ns"]
    mu = sum(s) / 5
    sd = math.sqrt(sum((v - mu) ** 2 for v in s) / 4) / math.sqrt(5)
    ratio = c[k]["offset"]["stderr_ns"] / sd if sd > 0 else float("inf")
    print(f"{k}: stderr {c[k]['offset']['stderr_ns']:.0f} ns vs segment means {sd:.0f} ns (ratio {ratio:.2f})")
    if not (1/3 <= ratio <= 3): fail.append(f"{k}: interval disagrees with the segments (ratio {ratio:.2f})")
for f in fail: print("FAILED:", f)
if fail:
    # The emulated switch keeps time only with a core to itself: on a machine loaded well
    # beyond its CPUs (other jobs), a miss says nothing about ptpcal. Skip, saying so.
    import os
    load, ncpu = os.getloadavg()[0], os.cpu_count() or 1
    if load > 1.5 * ncpu:
        print(f"load average {load:.1f} on {ncpu} CPUs: the lab cannot keep time; skipped (failures above)")
        sys.exit(77)
sys.exit(1 if fail else 0)
EOF

# --- run B: UDPv4, two-step TC, faulty TC ------------------------------------------------
"$PTPCAL" lab run -q -n "${NS_PREFIX}b" -o "$E2E_DIR/udp" -d 40s --seed 12 -t UDPv4 \
    --capture-switch \
    --client --fwd 400us --rev 400us \
    --client --fwd 800us --rev 300us --tc two-step \
    --client --fwd 600us --rev 400us --tc one-step --tc-scale 0.9
ip netns list | grep -q "^${NS_PREFIX}b-" && die "namespaces of run B left behind"
rc=0
"$PTPCAL" lab replay --json "$E2E_DIR/udp" >udp.json || rc=$?
[ $rc -le 1 ] || die "lab replay failed on run B (exit $rc)"
python3 - udp.json <<'EOF'
import json, math, sys
c = {x["client"]: x for x in json.load(open(sys.argv[1]))["clients"]}
def hw(b): return (b["ci_hi_ns"] - b["ci_lo_ns"]) / 2
# Pass/fail at 99.9 % (z 3.29), not 95 %: this script makes about eight comparisons, and at
# 95 % each an honest interval would fail one of them in about a third of all runs. Whether
# the 95 % intervals are honest is checked separately (stderr against segment means).
Z = 3.29 / 1.96
# Each client's capture tap has a floor of its own: on a quiet machine they differ by 0.1-0.3 us
# (per-client floors from the switch log, e.g. -1.66 / -1.73 / -1.93 us in one run), which no
# statistical interval covers when one client's floor is used for another. Allowed: 0.5 us.
ALLOW = 500.0
F, hF = c["cl1"]["floor"]["mean_ns"], hw(c["cl1"]["floor"])
fail = []
for k in ("cl2", "cl3"):
    x = c[k]
    m, h = x["offset"]["mean_ns"], hw(x["offset"])
    pred = x["truth_asymmetry_ns"] / 2
    print(f"UDPv4 {k} ({x['transparent_clock']}): measured {m:.0f} ns, predicted {pred:.0f} + floor {F:.0f} ns, +-{(Z * math.hypot(h, hF) + ALLOW):.0f}")
    if abs(m - pred - F) > (Z * math.hypot(h, hF) + ALLOW): fail.append(f"{k}: not the prediction")
if abs(c["cl2"]["offset"]["mean_ns"] - F) > 5000: fail.append("cl2: two-step TC left a bias")
# the faulty TC corrects only 90 %: 10 % of the 200 us asymmetry stays, +10 us
if not (5000 < c["cl3"]["truth_asymmetry_ns"] / 2 < 15000): fail.append("cl3: faulty TC did not leave ~10 us")
for f in fail: print("FAILED:", f)
if fail:
    # The emulated switch keeps time only with a core to itself: on a machine loaded well
    # beyond its CPUs (other jobs), a miss says nothing about ptpcal. Skip, saying so.
    import os
    load, ncpu = os.getloadavg()[0], os.cpu_count() or 1
    if load > 1.5 * ncpu:
        print(f"load average {load:.1f} on {ncpu} CPUs: the lab cannot keep time; skipped (failures above)")
        sys.exit(77)
sys.exit(1 if fail else 0)
EOF
# validate-switch: from the switch's log ...
"$PTPCAL" validate-switch --log udp/switch/frames.tsv --port sw2 --max-tc-error 1us \
    --max-loss 0 >v2.txt || die "validate-switch failed a good two-step TC: $(cat v2.txt)"
grep -q "transparent clock: [0-9]* corrections" v2.txt || die "no TC corrections seen on sw2"
expect_exit 1 "$PTPCAL" validate-switch --log udp/switch/frames.tsv --port sw3 --max-tc-error 5us
grep -q "FAIL" "$E2E_DIR/stdout.txt" || die "faulty TC: no FAIL in the report"
"$PTPCAL" validate-switch --log udp/switch/frames.tsv --port sw1 --max-asymmetry 30us \
    --json >v1.json || die "symmetric port failed its asymmetry limit: $(cat v1.json)"
expect_exit 1 "$PTPCAL" validate-switch --log udp/switch/frames.tsv --port sw2 --max-asymmetry 30us
# ... and from two-point captures on either side (tcpdump in the switch's namespace: the
# egress tap stamps before the driver, so allow a few us)
"$PTPCAL" validate-switch --ingress udp/switch/sw0.pcap --egress udp/switch/sw2.pcap \
    --max-tc-error 15us >p2.txt || die "two-point captures failed the good TC: $(cat p2.txt)"
expect_exit 1 "$PTPCAL" validate-switch --ingress udp/switch/sw0.pcap --egress udp/switch/sw3.pcap \
    --max-tc-error 15us
cat v2.txt p2.txt
echo "lab asymmetry: L2 and UDPv4 match IEEE 1588; TC validation passes the good TC, fails the faulty one"
