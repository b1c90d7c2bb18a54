#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# ptp4l's estimator replayed on the bundled lab datasets (deterministic: the capture, its
# exchanges and the replay are fixed, so the values are exact):
#  - lab-l2-pdv (Exp(50 us) forward): 534 Syncs given an offset, 527 settled; the bias ptp4l
#    settles at +40645.385 ns (lab truth 0) against the mean bias +29514.707 ns; with
#    delay_filter moving_average (--delay-filter) +30202.366 and tsproc_mode raw +29687.080,
#    both near the mean, as they must be;
#  - every `master offset` line of the datasets' ptp4l logs is found in the replay by
#    O + path delay = t2 - t1c, and logged - replayed is the capture floor, the same on the
#    PDV and the symmetric dataset within 0.5 us (+2945 and +3153 ns here).
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
need xz
ds="$PTPCAL_TOP/datasets"
[ -f "$ds/lab-l2-pdv/manifest.tsv" ] || skip "no bundled lab datasets"
cd "$E2E_DIR"
for d in lab-l2-pdv lab-l2-symmetric; do
    cl=$(awk -F'\t' '!/^#/ && $1 != "client" { print $1; exit }' "$ds/$d/manifest.tsv")
    "$PTPCAL" lab replay -q -c "$cl" -o "$d.tsv" "$ds/$d" >/dev/null 2>&1 || [ $? -eq 1 ] ||
        die "$d: replay failed"
    xz -dc "$ds/$d/ptp4l.log.xz" >"$d.log"
    "$PTPCAL" analyze -q "$d.tsv" --ptp4l-conf "$ds/$d/ptp4l.conf" --json --out "$d.out" \
        >"$d.json" || die "$d: analyze failed"
done
"$PTPCAL" analyze -q lab-l2-pdv.tsv --delay-filter moving_average --json >avg.json
"$PTPCAL" analyze -q lab-l2-pdv.tsv --tsproc-mode raw --json >raw.json
python3 - <<'PY'
import json, os, statistics as st, sys
sys.path.insert(0, os.environ["PTPCAL_TOP"] + "/tests/e2e")
from ptp4l_log_match import match, read_logged, read_replay
fail = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        fail.append(what)
a = json.load(open("lab-l2-pdv.json"))
p = a["ptp4l_estimator"]
check(p["syncs"] == 534 and p["used"] == 527, f"syncs {p['syncs']}, used {p['used']}")
check(p["settings_from"].endswith("lab-l2-pdv/ptp4l.conf"), "settings from the dataset's ptp4l.conf")
check(abs(p["bias"]["mean_ns"] - 40645.385) < 0.01, f"ptp4l bias {p['bias']['mean_ns']:.3f}")
check(abs(a["bias"]["mean_ns"] - 29514.707) < 0.01, f"mean bias {a['bias']['mean_ns']:.3f}")
check(abs(p["bias"]["minus_mean_bias_ns"] - 11130.679) < 0.01, "ptp4l - mean 11130.679")
avg = json.load(open("avg.json"))["ptp4l_estimator"]
raw = json.load(open("raw.json"))["ptp4l_estimator"]
check(avg["delay_filter"] == "moving_average" and abs(avg["offset_mean_ns"] - 30202.366) < 0.01,
      f"moving_average {avg['offset_mean_ns']:.3f}")
check(raw["tsproc_mode"] == "raw" and abs(raw["offset_mean_ns"] - 29687.080) < 0.01,
      f"raw {raw['offset_mean_ns']:.3f}")
floor = {}
for d in ("lab-l2-pdv", "lab-l2-symmetric"):
    log = read_logged(d + ".log")
    pairs = match(read_replay(d + ".out/ptp4l_offsets.tsv"), log)
    diff = [o - r[0] for o, r in pairs]
    floor[d] = st.mean(diff)
    check(len(pairs) >= len(log) // 2, f"{d}: {len(pairs)} of {len(log)} logged offsets matched; "
          f"logged - replayed {floor[d]:+.0f} ns, std {st.stdev(diff):.0f}")
check(abs(floor["lab-l2-pdv"] - floor["lab-l2-symmetric"]) < 500, "the same floor on both")
sys.exit(1 if fail else 0)
PY
