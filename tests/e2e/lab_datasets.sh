#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# CI replay of the bundled lab datasets (datasets/lab-*, made by scripts/make-lab-datasets):
# capture -> exchanges -> bias with its 95 % interval (analyze/bias.h) -> recovered asymmetry,
# checked against the truth from each dataset's switch log; the floor comes from the
# symmetric dataset of the same run (same transport). validate-switch passes the good
# transparent clock and fails the faulty one; loss is seen where it was injected. Then the
# hooks for the stages that other branches provide (analyze's command, calibrate).
# Also: every bad input gets one line and exit 2. No root needed.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
need xz
ds="$PTPCAL_TOP/datasets"
[ -f "$ds/lab-l2-symmetric/manifest.tsv" ] || skip "no bundled lab datasets"
cd "$E2E_DIR"

# Hook: when `ptpcal analyze` (branch analyze) is in this binary, its view of the same
# exchanges must agree with the replay's bias.
analyze_hook() { # DATASET EXCHANGES REPLAY-JSON
    if ! "$PTPCAL" help analyze >/dev/null 2>&1; then
        echo "  hook analyze: 'ptpcal analyze' not in this build (branch analyze): skipped"
        return 0
    fi
    "$PTPCAL" analyze "$2" --json --settle none >"$2.analyze.json" ||
        die "$1: ptpcal analyze failed on $2"
    # The same exchanges, the same truth (truth_offset_ns 0): analyze's bias must be the
    # replay's offset estimate, its asymmetry twice that.
    python3 - "$2.analyze.json" "$3" <<'PY' || die "$1: ptpcal analyze disagrees with the replay"
import json, sys
a = json.load(open(sys.argv[1]))
c = json.load(open(sys.argv[2]))["clients"][0]
b, o = a["bias"], c["offset"]
ok = a["samples"] == c["exchanges"] and b is not None and b["n"] == o["n"]
for k in ("mean_ns", "ci_lo_ns", "ci_hi_ns", "std_ns", "n_eff"):
    ok = ok and abs(b[k] - o[k]) <= 1e-6 * max(1.0, abs(o[k]))
ok = ok and abs(a["asymmetry"]["mean_ns"] - 2 * b["mean_ns"]) < 1.0
print(f"  hook analyze: bias {b['mean_ns']/1e3:+.2f} us [{b['ci_lo_ns']/1e3:+.2f}, "
      f"{b['ci_hi_ns']/1e3:+.2f}] vs replay {o['mean_ns']/1e3:+.2f} us: {'agree' if ok else 'DIFFER'}")
sys.exit(0 if ok else 1)
PY
}
# Hook: `ptpcal calibrate` turns the replayed exchanges into a ptp4l delayAsymmetry, measured
# against the symmetric dataset of the same run as the baseline (which removes the lab's floor:
# capture tap, veth legs). It must equal the truth from the switch logs within its 95 %
# interval: (realised asymmetry - the baseline's realised asymmetry) / 2 -- HALF the one-way
# difference, which is what linuxptp's delayAsymmetry cancels (port.c; docs/calibration.md).
# --estimator mean: the switch log's truth is the mean asymmetry (calibrate's default, the
# bias ptp4l's own median-filtered estimator settles at, is checked in calibrate_lab.sh and
# ptp4l_estimator_*.sh).
# --force: the 90 s symmetric baseline of the L2 run drifts, which calibrate otherwise
# refuses (tests/e2e/calibrate_lab.sh checks that refusal).
calibrate_hook() { # DATASET EXCHANGES BASELINE-DATASET
    if ! "$PTPCAL" help calibrate >/dev/null 2>&1; then
        echo "  hook calibrate: 'ptpcal calibrate' not in this build (branch calibrate): skipped"
        return 0
    fi
    [ "$1" = "$3" ] && { echo "  hook calibrate: $1 is the baseline itself"; return 0; }
    "$PTPCAL" calibrate "$2" --baseline "$3.exchanges.tsv" --min-duration 60s --force --estimator mean --json \
        >"$1.cal.json" 2>"$1.cal.err" || die "$1: calibrate failed: $(cat "$1.cal.err")"
    python3 - "$1" "$1.cal.json" "$1.json" "$3.json" <<'PY' || die "$1: calibrate missed the truth"
import json, re, sys
c = json.load(open(sys.argv[2]))
rt = json.load(open(sys.argv[3]))["clients"][0]
rb = json.load(open(sys.argv[4]))["clients"][0]
expect = rt["truth_asymmetry_ns"] / 2 - rb["truth_asymmetry_ns"] / 2
ptp = [e for e in c["emit"] if e["target"] == "ptp4l"][0]
A = int([re.fullmatch(r"delayAsymmetry (-?\d+)", l) for l in ptp["lines"] if l.startswith("delayAsymmetry")][0].group(1))
hw = (c["ci_hi_ns"] - c["ci_lo_ns"]) / 2
ok = not c["refused"] and abs(A - expect) <= hw + 1
print(f"  hook calibrate: delayAsymmetry {A} ns +- {hw:.0f}, truth {expect:.0f} ns: {'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
}

check() { # NAME FLOOR-DATASET
    d="$ds/$1"
    cl=$(awk -F'\t' '!/^#/ && $1 != "client" { print $1; exit }' "$d/manifest.tsv")
    rc=0
    "$PTPCAL" lab replay --json --floor-from "$ds/$2" -o "$1.exchanges.tsv" --client "$cl" \
        "$d" >"$1.json" 2>"$1.err" || rc=$?
    [ $rc -le 1 ] || die "$1: replay failed: $(cat "$1.err")"
    python3 - "$1" "$1.json" "$d/manifest.tsv" <<'EOF'
import json, sys
name = sys.argv[1]
r = json.load(open(sys.argv[2]))
c = r["clients"][0]
inj = None
for line in open(sys.argv[3]):
    if not line.startswith("#") and not line.startswith("client\t"):
        inj = float(line.split("\t")[10])
print(f"{name}: {c['exchanges']} exchanges, configured asymmetry {inj/1e3:+.1f} us, realised "
      f"{c['truth_asymmetry_ns']/1e3:+.2f} us (TC {c['transparent_clock']}); recovered "
      f"{c['recovered_asymmetry_ns']/1e3:+.2f} us [{c['recovered_ci_lo_ns']/1e3:+.2f}, "
      f"{c['recovered_ci_hi_ns']/1e3:+.2f}] with floor {r['floor_ns']:.0f} ns: "
      f"{'PASS' if c['pass'] else 'FAIL'}")
ok = c["pass"] and c["truth_from_switch_log"] and c["matched_in_switch_log"] > 0.8 * c["exchanges"]
if c["transparent_clock"] == "off" and inj != 0:
    ok = ok and abs(c["truth_asymmetry_ns"] - inj) < max(0.25 * abs(inj), 20000)  # the switch does what it is told, roughly (queueing adds)
if c["transparent_clock"] == "on":
    ok = ok and abs(c["recovered_asymmetry_ns"]) < 10000
width = c["recovered_ci_hi_ns"] - c["recovered_ci_lo_ns"]
ok = ok and width < 100000  # an interval that can fail
sys.exit(0 if ok else 1)
EOF
    # The floor's per-exchange percentiles and ptp4l's median offset (what lab_asymmetry's
    # verdicts use), recomputed here from the switch log (matched by sequence id: a 90 s
    # dataset does not wrap them), the replayed exchanges and ptp4l's log.
    # statistics.quantiles' 'inclusive' method is GSL's (linear, Hyndman & Fan type 7).
    python3 - "$1.json" "$1.exchanges.tsv" "$d" <<'EOF' || die "$1: floor percentiles or ptp4l median differ"
import json, lzma, re, statistics, sys
c = json.load(open(sys.argv[1]))["clients"][0]
d = sys.argv[3]

def table(lines):
    hdr, meta = None, {}
    for line in lines:
        if line.startswith("#"):
            k, _, v = line[2:].partition(": ")
            meta.setdefault(k, v.strip())
            continue
        f = line.rstrip("\n").split("\t")
        if hdr is None:
            hdr = f
            continue
        yield meta, dict(zip(hdr, f))

def ns(t):
    s, _, f = t.partition(".")
    return int(s) * 10**9 + int(f.ljust(9, "0"))

man = list(table(open(d + "/manifest.tsv")))
meta, cl = man[0]
port, up = cl["switch_port"], meta["switch_upstream"]
sync, req = {}, {}
for _, r in table(lzma.open(d + "/" + meta["switch_log"], "rt")):
    if r["fate"] != "sent":
        continue
    if r["type"] == "Sync" and r["in"] == up and r["out"] == port:
        sync[int(r["seq"])] = ns(r["tx"]) - ns(r["rx"])
    elif r["type"] == "Delay_Req" and r["in"] == port and r["out"] == up:
        req[int(r["seq"])] = ns(r["tx"]) - ns(r["rx"])
fl = [float(r["offset_ns"]) - (sync[int(r["sync_seq"])] - req[int(r["req_seq"])]) / 2
      for _, r in table(open(sys.argv[2]))
      if int(r["sync_seq"]) in sync and int(r["req_seq"]) in req]
ok = c["floor_p10_ns"] < c["floor"]["mean_ns"] < c["floor_p90_ns"]
if c["transparent_clock"] == "off":  # a TC's corrections: the replay's own business
    dec = statistics.quantiles(fl, n=10, method="inclusive")
    print(f"floor p10 {c['floor_p10_ns']:.1f} / {dec[0]:.1f}, p90 {c['floor_p90_ns']:.1f} / "
          f"{dec[-1]:.1f} ns (replay / recomputed, {len(fl)} exchanges)")
    ok = ok and len(fl) == c["matched_in_switch_log"]
    ok = ok and abs(c["floor_p10_ns"] - dec[0]) < 1e-6 and abs(c["floor_p90_ns"] - dec[-1]) < 1e-6
off = [int(m.group(1)) for m in
       re.finditer(r"master offset +(-?\d+)", lzma.open(d + "/ptp4l.log.xz", "rt").read())]
print(f"ptp4l median {c.get('ptp4l_offset_median_ns')} / {statistics.median(off)} ns "
      f"({len(off)} samples)")
ok = ok and len(off) >= 8 and len(off) == c["ptp4l_offset"]["n"]
ok = ok and c["ptp4l_offset_median_ns"] == statistics.median(off)
sys.exit(0 if ok else 1)
EOF
    grep -q "^# truth_offset_ns: 0" "$1.exchanges.tsv" || die "$1: no truth in the replayed exchanges"
    analyze_hook "$1" "$1.exchanges.tsv" "$1.json"
    calibrate_hook "$1" "$1.exchanges.tsv" "$2"
}

for n in symmetric plus200 minus150 pdv lossy tc-on tc-faulty; do check "lab-l2-$n" lab-l2-symmetric; done
for n in symmetric plus200 tc-two-step; do check "lab-udp4-$n" lab-udp4-symmetric; done

# validate-switch on the bundled switch logs (xz-packed)
"$PTPCAL" validate-switch --log "$ds/lab-l2-tc-on/frames.tsv.xz" --max-tc-error 10us >tc.txt ||
    die "good one-step TC failed validation: $(cat tc.txt)"
"$PTPCAL" validate-switch --log "$ds/lab-udp4-tc-two-step/frames.tsv.xz" --max-tc-error 1ns >tc2.txt ||
    die "good two-step TC failed validation: $(cat tc2.txt)"
expect_exit 1 "$PTPCAL" validate-switch --log "$ds/lab-l2-tc-faulty/frames.tsv.xz" --max-tc-error 10us
"$PTPCAL" validate-switch --log "$ds/lab-l2-lossy/frames.tsv.xz" --max-loss 10% --json >loss.json ||
    die "lossy path over its 10 % limit"
python3 - loss.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["ports"][0]
for d in ("fwd", "rev"):
    print(f"lossy {d}: loss {100 * p[d]['loss']:.2f} % (5 % injected)")
    if not 0.02 < p[d]["loss"] < 0.08: sys.exit(1)
EOF
expect_exit 1 "$PTPCAL" validate-switch --log "$ds/lab-l2-lossy/frames.tsv.xz" --max-loss 1%
expect_exit 1 "$PTPCAL" validate-switch --log "$ds/lab-l2-plus200/frames.tsv.xz" --max-asymmetry 50us

# bad inputs: one line, exit 2
expect_exit 2 "$PTPCAL" lab replay "$E2E_DIR/nonexistent"
grep -q "manifest.tsv" "$ERR" || die "no file named: $(cat "$ERR")"
mkdir -p bad && cp -r "$ds/lab-l2-plus200/." bad/
head -c 3000 "$ds/lab-l2-plus200/capture.pcap.xz" >bad/capture.pcap.xz
expect_exit 2 "$PTPCAL" lab replay bad
sed -i 's/^\(cl[0-9]*\t\)/\1x\t/' bad/manifest.tsv
expect_exit 2 "$PTPCAL" lab replay bad
printf 'garbage\n' >garbage.tsv
expect_exit 2 "$PTPCAL" validate-switch --log garbage.tsv
expect_exit 2 "$PTPCAL" validate-switch --log "$E2E_DIR/none.tsv"
expect_exit 2 "$PTPCAL" validate-switch --ingress garbage.tsv --egress garbage.tsv
expect_exit 2 "$PTPCAL" validate-switch
expect_exit 2 "$PTPCAL" lab switch --upstream lo --port lo2 --fwd 'delay=1us,pdv=normal:10us'
grep -q "4 sigma" "$ERR" || die "bad spec without a reason: $(cat "$ERR")"
expect_exit 2 "$PTPCAL" lab switch --upstream nonexistent0 --port nonexistent1
expect_exit 2 "$PTPCAL" lab frobnicate
expect_exit 0 "$PTPCAL" lab switch --help
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    # a copy it can run: the checkout may lie under a directory it cannot enter
    wp=$(world_ptpcal)
    expect_exit 2 setpriv --reuid 65534 --regid 65534 --clear-groups "$wp" lab run -d 1s
    grep -q "needs root" "$ERR" || die "non-root run without a clear message: $(cat "$ERR")"
fi
echo "lab datasets: every replay recovers its truth; validation and bad inputs as expected"
