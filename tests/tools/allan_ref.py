#!/usr/bin/python3
"""allantools (the reference, ../shared/bench) on a plain series file, printing the same TSV
columns as tests/tools/stabcalc: m, tau, then each statistic ("nan" where allantools gives
none, e.g. where it drops results from a single term).

    allan_ref.py FILE RATE STATS M,M,...|octave [--freq|--freq-raw] [--time]

FILE is text (one value per line, np.loadtxt) or a .npy array (np.load).

--freq integrates frequency with allantools.frequency2phase, which subtracts the mean
frequency first; --freq-raw integrates as ptpcal does (x0 = 0, x[i+1] = x[i] + y[i] / rate,
frequency offset kept, so that MTIE and TIE see it).

STATS: comma list of adev,oadev,mdev,tdev,hdev,ohdev,totdev,mtie,tie_rms. --time prints the
seconds spent inside allantools (not reading the file) on stderr as "compute_s X"."""
import sys
import time

import numpy as np
import allantools

COLS = ["adev", "oadev", "mdev", "tdev", "hdev", "ohdev", "totdev", "mtie", "tie_rms"]
FUNCS = {"adev": allantools.adev, "oadev": allantools.oadev, "mdev": allantools.mdev,
         "tdev": allantools.tdev, "hdev": allantools.hdev, "ohdev": allantools.ohdev,
         "totdev": allantools.totdev, "mtie": allantools.mtie, "tie_rms": allantools.tierms}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    freq = "--freq" in sys.argv
    path, rate, stats, ms = args[0], float(args[1]), args[2].split(","), args[3]
    if path.endswith(".npy"):  # numpy's binary array: no text to parse
        data = np.load(path)
    else:
        data = np.loadtxt(path, comments="#", dtype=np.float64, ndmin=1)
    x = allantools.frequency2phase(data, rate) if freq else data
    if "--freq-raw" in sys.argv:
        x = np.concatenate(([0.0], np.cumsum(data) / rate))
    n = len(x)
    if ms == "octave":
        m = []
        k = 1
        while k <= (n - 1) // 2:
            m.append(k)
            k *= 2
    else:
        m = [int(v) for v in ms.split(",")]
    taus = np.array(m, dtype=float) / rate
    res = {}
    t0 = time.perf_counter()
    for s in stats:
        (t2, dev, _, _) = FUNCS[s](x, rate=rate, data_type="phase", taus=taus)
        res[s] = {int(round(t * rate)): d for t, d in zip(t2, dev)}
    elapsed = time.perf_counter() - t0
    if "--time" in sys.argv:
        print("compute_s %.6f" % elapsed, file=sys.stderr)
    print("m\ttau\t" + "\t".join(COLS))
    for mk in m:
        row = [str(mk), repr(mk / rate)]
        for c in COLS:
            v = res.get(c, {}).get(mk)
            row.append("nan" if v is None else repr(float(v)))
        print("\t".join(row))


if __name__ == "__main__":
    main()
