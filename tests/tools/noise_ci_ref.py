#!/usr/bin/python3
"""Checks stabcalc's noise identification and OADEV 95 % interval against allantools.ci on
the same phase file: at every tau with at least 30 decimated points, the lag-1 noise type
must equal allantools.ci.autocorr_noise_id's, and oadev_lo/oadev_hi must equal
allantools.ci.confidence_interval(oadev, edf_simple(N, m, alpha), ci=0.95).

    noise_ci_ref.py PHASE_FILE OURS.tsv [REL]"""
import math
import sys
import warnings

import numpy as np
import allantools.ci as ci

warnings.simplefilter("ignore")


def main():
    x = np.loadtxt(sys.argv[1], comments="#", ndmin=1)
    rel = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-6
    n = len(x)
    ok = True
    checked = 0
    worst = 0.0
    with open(sys.argv[2]) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            m = int(r["m"])
            if (n - 1) // m + 1 < 30 or math.isnan(float(r["oadev"])):
                continue
            a_ref = ci.autocorr_noise_id(x, m, data_type="phase")[0]
            a = int(r["alpha"])
            if a != a_ref:
                ok = False
                print("  m=%d: noise alpha %d, allantools %d" % (m, a, a_ref))
                continue
            edf = ci.edf_simple(n, m, a_ref)
            lo, hi = ci.confidence_interval(float(r["oadev"]), edf, ci=0.95)
            for ours, ref in ((float(r["oadev_lo"]), lo), (float(r["oadev_hi"]), hi)):
                d = abs(ours - ref) / abs(ref)
                worst = max(worst, d)
                if not d <= rel:
                    ok = False
                    print("  m=%d: interval end %.17g, allantools %.17g" % (m, ours, ref))
            checked += 1
    print("noise type and OADEV 95 %% interval: %d taus checked, worst relative difference"
          " %.2e: %s" % (checked, worst, "ok" if ok and checked else "MISMATCH"))
    sys.exit(0 if ok and checked else 1)


if __name__ == "__main__":
    main()
