#!/usr/bin/python3
"""Compares stabcalc's TSV with allan_ref.py's: every statistic present in both at the same
m must agree to a relative tolerance. Prints one line per statistic (compared, worst relative
difference) and exits 1 on any disagreement or if a requested statistic was never compared.

    stab_compare.py OURS.tsv REF.tsv STATS [REL]"""
import math
import sys


def load(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = {}
        for line in f:
            v = line.rstrip("\n").split("\t")
            rows[int(v[0])] = dict(zip(head, v))
    return rows


def main():
    ours, ref = load(sys.argv[1]), load(sys.argv[2])
    stats = sys.argv[3].split(",")
    rel = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-9
    ok = True
    for s in stats:
        n = 0
        worst = 0.0
        only = 0
        for m, r in ref.items():
            a = float(ours[m][s]) if m in ours else math.nan
            b = float(r[s])
            if math.isnan(a) and math.isnan(b):
                continue
            if math.isnan(a):
                ok = False
                print("  %s m=%d: ours nan, allantools %.17g" % (s, m, b))
                continue
            if math.isnan(b):
                # allantools drops results from a single term (remove_small_ns: n <= 1)
                only += 1
                continue
            n += 1
            d = abs(a - b) / abs(b) if b != 0 else abs(a)
            worst = max(worst, d)
            if d > rel:
                ok = False
                print("  %s m=%d: ours %.17g allantools %.17g rel %.3g" % (s, m, a, b, d))
        verdict = "ok" if n and worst <= rel else "MISMATCH"
        if not n:
            ok = False
        print("%-8s %3d taus compared, worst relative difference %.2e, %d where allantools drops a one-term result: %s"
              % (s, n, worst, only, verdict))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
