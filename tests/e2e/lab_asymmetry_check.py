#!/usr/bin/env python3
"""Verdicts of tests/e2e/lab_asymmetry.sh on `ptpcal lab replay --json` of its two runs.

    lab_asymmetry_check.py A REPLAY.json MANIFEST.tsv   (L2: symmetric, +200, -150, TC)
    lab_asymmetry_check.py B REPLAY.json                (UDPv4: symmetric, two-step TC, faulty TC)

IEEE 1588: a free-running slave reads offset = theta + (d_ms - d_sm)/2, theta = 0 (one host
clock), d_ms and d_sm the realised one-way delays from the switch's own log. The capture adds
its tap's floor, measured in the same run on the zero-asymmetry client cl1.

Levels (issue 12): every comparison is at z = 3.29 (two-sided 1e-3) on the run's own 95 %
intervals, plus ALLOW for the client-to-client difference of the capture taps' floors, which
no interval covers (one client's floor stands in for another's). The floor is not one value
per client: it switches between a few states (~0.5, ~1.8, ~5 us seen in
ptp4l_estimator_lab.sh) at random, on each client on its own, so two clients' mean floors
differ by up to the span of those states (a lab-check of 12 runs on 2026-12-05: up to 1.6 us
with each mean's interval +-0.2..0.4 us; one CI run: 1.47 us against an allowance of 0.5 us).
ALLOW is that span as the run shows it: from the 10th to the 90th percentile of both
clients' per-exchange floors (lab replay's floor_p10_ns/floor_p90_ns), at least 0.5 us --
what ptp4l_estimator_lab.sh allows for the same floor. A sign, factor-of-two or pairing error
moves an offset by tens to hundreds of us; this allowance is a few us.
LAB_TIGHT=1 (make lab-check) uses the fixed 0.5 us and adds the honesty checks (floors'
chi-square, intervals against segment means) that need a quiet machine and repetition.
"""
import json
import math
import os
import sys

TIGHT = os.environ.get("LAB_TIGHT", "0") == "1"
Z = 3.29 / 1.96  # 95 % half-widths to 99.9 %


def hw(b):
    return (b["ci_hi_ns"] - b["ci_lo_ns"]) / 2


def allowance(c, k):
    """The span of the floor's states in this run, for client k against cl1 (see above)."""
    if TIGHT:
        return 500.0
    lo = min(c[x]["floor_p10_ns"] for x in ("cl1", k))
    hi = max(c[x]["floor_p90_ns"] for x in ("cl1", k))
    return max(500.0, hi - lo)


def coverage(what, measured, truth, halfwidth95):
    """For make lab-check: whether the realised truth (with the floor) lay inside the 95 %
    interval (tests/lab-check/run counts these over repeated runs)."""
    print(f"COVERAGE {what} {int(abs(measured - truth) <= halfwidth95)}")


def tol(h, hF, allow):
    return Z * math.hypot(h, hF) + allow


def run_a(c, man, fail):
    F, hF = c["cl1"]["floor"]["mean_ns"], hw(c["cl1"]["floor"])
    print(f"floor (cl1, zero asymmetry): {F:.1f} ns +- {hF:.1f} (95 %), spread "
          f"{c['cl1']['floor']['std_ns']:.0f} ns, p10..p90 {c['cl1']['floor_p10_ns']:.0f}.."
          f"{c['cl1']['floor_p90_ns']:.0f} ns")
    lo, hi = (-10000, 2000) if TIGHT else (-25000, 5000)
    if not (lo < F < hi):
        fail.append(f"floor {F:.0f} ns outside the plausible {lo/1e3:.0f}..{hi/1e3:+.0f} us")
    for name, want in (("cl2", 200000), ("cl3", -150000)):
        x = c[name]
        assert man[name] == want, (name, man[name])
        pred = x["truth_asymmetry_ns"] / 2
        m, h = x["offset"]["mean_ns"], hw(x["offset"])
        t = tol(h, hF, allowance(c, name))
        print(f"{name}: injected {want/1e3:+.0f} us, realised {x['truth_asymmetry_ns']/1e3:+.2f} us; "
              f"predicted offset {pred/1e3:+.3f} us + floor -> {(pred+F)/1e3:+.3f} us; measured "
              f"{m/1e3:+.3f} us +- {h/1e3:.3f}; allowed +-{t/1e3:.3f} us")
        if abs(m - (pred + F)) > t:
            fail.append(f"{name}: measured {m:.0f} ns, predicted {pred + F:.0f} ns: outside +-{t:.0f}")
        coverage(f"L2_{name}", m, pred + F, math.hypot(h, hF))
        if abs(x["truth_asymmetry_ns"] - want) > 0.25 * abs(want):
            fail.append(f"{name}: the switch realised {x['truth_asymmetry_ns']:.0f} ns for {want} ns")
        if h > 40000:
            fail.append(f"{name}: interval +-{h:.0f} ns too wide to test anything")
        p = x.get("ptp4l_offset")
        if not p:
            fail.append(f"{name}: no ptp4l samples")
            continue
        # ptp4l: its own timestamps (no capture floor); its offset uses the median-filtered
        # path delay (tsproc.c), which differs from the mean under the switch's skewed tails:
        # 15 us for that, plus its own interval. Its median: ptp4l logs one Sync in 32 (~44
        # here), and one of them late by 2.5 ms moved their mean by 53 us (lab-check run,
        # 2026-12-05, cl2 and cl3 alike: the Sync went to both).
        pm = x["ptp4l_offset_median_ns"]
        pt = 15000 + (0 if TIGHT else Z * hw(p))
        print(f"{name}: ptp4l's own offsets: median {pm/1e3:+.3f} us, mean {p['mean_ns']/1e3:+.3f} "
              f"us (n {p['n']}) vs {pred/1e3:+.3f} us, allowed +-{pt/1e3:.1f} us")
        if abs(pm - pred) > pt:
            fail.append(f"{name}: ptp4l's median offset {pm:.0f} ns, predicted {pred:.0f} ns")
    # the transparent clock removes 600 us of path asymmetry
    x = c["cl4"]
    m, h = x["offset"]["mean_ns"], hw(x["offset"])
    t = tol(h, hF, allowance(c, "cl4"))
    print(f"cl4: TC one-step, injected {man['cl4']/1e3:.0f} us; bias above floor {(m-F)/1e3:+.3f} us "
          f"+- {t/1e3:.3f}; residual truth after correction {x['truth_asymmetry_ns']:.0f} ns")
    if man["cl4"] != 600000:
        fail.append("cl4: configured asymmetry is not 600 us")
    if abs(m - F - x["truth_asymmetry_ns"] / 2) > t:
        fail.append("cl4: bias not the prediction")
    if abs(m - F) > 5000 + (0 if TIGHT else t):
        fail.append(f"cl4: bias {m - F:.0f} ns above the floor with a transparent clock")
    p = x.get("ptp4l_offset")
    if not p or abs(x["ptp4l_offset_median_ns"]) > 5000 + (0 if TIGHT else Z * hw(p)):
        fail.append(f"cl4: ptp4l's own median offset {x.get('ptp4l_offset_median_ns')} not ~0")
    if TIGHT:
        honesty(c, F, hF, fail)


def honesty(c, F, hF, fail):
    # floors agree across clients (the same instrument, up to each tap's own offset: 0.25 us
    # as a systematic standard deviation): chi-square with 3 dof at 99 %
    chi = 0
    for k in ("cl2", "cl3", "cl4"):
        f = c[k]["floor"]
        se = math.hypot(math.hypot(hw(f), hF) / 1.96, 250.0)
        chi += ((f["mean_ns"] - F) / se) ** 2
        print(f"{k}: floor {f['mean_ns']:.1f} ns +- {hw(f):.1f}")
        if hw(f) > 1500:
            fail.append(f"{k}: floor interval +-{hw(f):.0f} ns too wide")
    print(f"floors' chi-square {chi:.2f} (3 dof, 99 % limit 11.34)")
    if chi > 11.34:
        fail.append(f"floors disagree (chi-square {chi:.1f}): intervals too narrow")
    for k in ("cl1", "cl2", "cl3", "cl4"):
        s = c[k]["segment_means_ns"]
        mu = sum(s) / len(s)
        sd = math.sqrt(sum((v - mu) ** 2 for v in s) / (len(s) - 1)) / math.sqrt(len(s))
        ratio = c[k]["offset"]["stderr_ns"] / sd if sd > 0 else float("inf")
        print(f"{k}: stderr {c[k]['offset']['stderr_ns']:.0f} ns vs segment means {sd:.0f} ns "
              f"(ratio {ratio:.2f})")
        if not (1 / 3 <= ratio <= 3):
            fail.append(f"{k}: interval disagrees with the segments (ratio {ratio:.2f})")


def run_b(c, fail):
    F, hF = c["cl1"]["floor"]["mean_ns"], hw(c["cl1"]["floor"])
    for k in ("cl2", "cl3"):
        x = c[k]
        m, h = x["offset"]["mean_ns"], hw(x["offset"])
        pred = x["truth_asymmetry_ns"] / 2
        t = tol(h, hF, allowance(c, k))
        print(f"UDPv4 {k} ({x['transparent_clock']}): measured {m:.0f} ns, predicted {pred:.0f} + "
              f"floor {F:.0f} ns, +-{t:.0f}")
        if abs(m - pred - F) > t:
            fail.append(f"{k}: not the prediction")
        coverage(f"UDPv4_{k}", m, pred + F, math.hypot(h, hF))
    x = c["cl2"]
    if abs(x["offset"]["mean_ns"] - F) > 5000 + (0 if TIGHT else tol(hw(x["offset"]), hF,
                                                                      allowance(c, "cl2"))):
        fail.append("cl2: two-step TC left a bias")
    # the faulty TC corrects only 90 %: 10 % of the 200 us asymmetry stays, +10 us
    if not (5000 < c["cl3"]["truth_asymmetry_ns"] / 2 < 15000):
        fail.append("cl3: faulty TC did not leave ~10 us")


def main():
    which, path = sys.argv[1], sys.argv[2]
    c = {x["client"]: x for x in json.load(open(path))["clients"]}
    fail = []
    if which == "A":
        man = {}
        for line in open(sys.argv[3]):
            if line.startswith("#") or line.startswith("client\t"):
                continue
            f = line.rstrip("\n").split("\t")
            man[f[0]] = float(f[10])  # injected_asymmetry_ns (configured)
        run_a(c, man, fail)
    else:
        run_b(c, fail)
    for f in fail:
        print("FAILED:", f)
    sys.exit(1 if fail else 0)


main()
