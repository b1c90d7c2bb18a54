#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# Stability and time error in ptpcal analyze, end to end: plain series (--series phase|freq)
# with hand-computed answers, the exchanges of a lab dataset on their 1/8 s grid, --out files
# equal to the JSON, and bad series/taus (one line, exit 2).
#   phase alternating 0, 1 ns at 1 Hz: OADEV(1 s) = sqrt(2) ns (second differences +-2 ns,
#   AVAR = 4 ns^2 / 2), MTIE(1 s) = 1 ns, TIE rms(1 s) = 1 ns, OADEV(2 s) = 0;
#   fractional frequency 1e-9 constant: the phase ramps 1 ns/s, MTIE(tau) = tau ns up to
#   tau = N - 1, OADEV 0 up to (N-1)/2.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
need xz
cd "$E2E_DIR"
P="$PTPCAL"

awk 'BEGIN { for (i = 0; i < 2000; i++) print (i % 2 ? "1e-9" : "0") }' >alt.txt
"$P" analyze --series phase --rate 1 --tau 1,2,10 --json --out alt.out alt.txt >alt.json ||
    die "phase series"
awk 'BEGIN { for (i = 0; i < 3000; i++) print "1e-9" }' >freq.txt
"$P" analyze --series freq --rate 1 --tau decade --json freq.txt >freq.json || die "freq series"
"$P" analyze --series phase --rate 1 alt.txt >alt.txt.out || die "phase series, text"
grep -q "class D: pass (max|TE_L| ok, cTE -," alt.txt.out || die "class D label: $(grep 'class D' alt.txt.out)"
grep -q "network limit at point C (G.8271.1 7.3.1): pass" alt.txt.out || die "point C line"
python3 - <<'PY' || die "stability of the plain series"
import json, math
a = json.load(open("alt.json"))
s = {p["tau"]: p for p in a["stability"]}
assert sorted(s) == [1, 2, 10], sorted(s)
assert abs(s[1]["oadev"] - math.sqrt(2) * 1e-9) < 1e-18, s[1]
assert abs(s[1]["mtie"] - 1e-9) < 1e-18 and abs(s[1]["tie_rms"] - 1e-9) < 1e-18
assert abs(s[2]["oadev"]) < 1e-21 and s[1]["n"] == 1998
te = a["time_error"]
assert abs(te["max_abs_te"] - 1) < 1e-9 and abs(te["cte"] - 0.5) < 1e-9
# a 1 ns peak-to-peak square wave passes every class's limits but class D's max|TE_L| 5 ns
assert all(te["classes"][c]["pass"] for c in "ABC"), te["classes"]
# class D's limit is on the 0.1 Hz low-pass filtered TE, and says so; the low-pass of the
# 0/1 ns square wave stays within 0..1 ns, around its 0.5 ns mean
assert te["classes"]["D"]["max_abs_te_limit_on"] == "max|TE_L|"
assert te["classes"]["A"]["max_abs_te_limit_on"] == "max|TE|"
assert te["classes"]["D"]["max_abs_te_l_limit"] == 5 and te["classes"]["A"]["max_abs_te_l_limit"] is None
assert 0.5 <= te["max_abs_te_l"] <= 1, te["max_abs_te_l"]
nc = te["network_c"]
assert nc["pass"] and nc["max_abs_te_l_limit"] == 1100 and nc["dte_l_mtie"][0]["limit"] == 250, nc
f = json.load(open("freq.json"))
for p in f["stability"]:
    assert abs(p["mtie"] - p["tau"] * 1e-9) < 1e-15 * max(1, p["tau"]), p
    # the deviations to (N-1)/2 = 1500 s, MTIE and TIE rms beyond, to N-1 = 3000 s
    assert (p["oadev"] < 1e-20) if p["tau"] <= 1500 else (p["oadev"] is None), p
assert [p["tau"] for p in f["stability"]][:4] == [1, 2, 5, 10]
assert [p["tau"] for p in f["stability"]][-2:] == [1000, 2000], f["stability"][-2:]
print(f"alternating phase: OADEV(1 s) {s[1]['oadev']:.6e} (sqrt 2 ns), MTIE {s[1]['mtie']:.3e}; "
      f"constant frequency: MTIE(tau) = tau ns at {len(f['stability'])} taus")
# --out: stability.tsv and te_masks.tsv hold what the JSON says
rows = [l.rstrip("\n").split("\t") for l in open("alt.out/stability.tsv") if not l.startswith("#")]
hdr = rows[0]
for r in rows[1:]:
    p = s[float(r[0])]
    for k in ("adev", "oadev", "mdev", "tdev", "hdev", "ohdev", "totdev", "mtie", "tie_rms"):
        v = float(r[hdr.index(k)])
        assert (math.isnan(v) and p[k] is None) or v == p[k], (k, v, p[k])
m = [l.rstrip("\n").split("\t") for l in open("alt.out/te_masks.tsv") if not l.startswith("#")]
assert m[0] == ["tau_s", "mtie_ns", "mtie_limit_ns", "tdev_ns", "tdev_limit_ns", "class"]
cls = {}
for r in m[1:]:
    cls.setdefault(r[5], []).append(r)
assert sorted(cls) == ["A", "B", "C", "D"] and len({len(v) for v in cls.values()}) == 1
assert all(float(r[2]) == 40 for r in cls["A"]) and all(float(r[2]) == 10 for r in cls["C"])
assert json.load(open("alt.out/summary.json")) == a
PY

# the exchanges of a lab dataset: offsets on the 1/8 s Sync grid
ds="$PTPCAL_TOP/datasets/lab-l2-symmetric"
cl=$(awk -F'\t' '!/^#/ && $1 != "client" { print $1; exit }' "$ds/manifest.tsv")
"$P" lab replay -o sym.tsv --client "$cl" "$ds" >/dev/null 2>&1 || true
[ -s sym.tsv ] || die "replay made no exchanges"
"$P" analyze sym.tsv --json --tau decade >sym.json || die "analyze sym.tsv"
python3 - <<'PY' || die "stability of the lab exchanges"
import json
a = json.load(open("sym.json"))
si = a["stability_input"]
assert si["tau0_s"] == 0.125 and si["points"] > 600, si
taus = [p["tau"] for p in a["stability"]]
assert taus[:3] == [0.125, 0.25, 0.625], taus   # decade factors 1, 2, 5 of 1/8 s
assert all(p["oadev"] and p["oadev"] > 0 for p in a["stability"][:3])
assert a["time_error"] is not None and set(a["time_error"]["classes"]) == set("ABCD")
print(f"lab symmetric: tau0 {si['tau0_s']} s, {si['points']} points "
      f"({si['interpolated']} interpolated), OADEV(0.125 s) {a['stability'][0]['oadev']:.3e} s")
PY

# bad inputs and options: one line, exit 2
printf '1e-9\n\n2e-9\nfoo\n' >bad.txt
expect_exit 2 "$P" analyze --series phase --rate 1 bad.txt
[ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "bad.txt" "$ERR" || die "bad series: $(cat "$ERR")"
expect_exit 2 "$P" analyze --series phase alt.txt
expect_exit 2 "$P" analyze --series phase --rate 0 alt.txt
expect_exit 2 "$P" analyze --series phase --rate 1 alt.txt sym.tsv
expect_exit 2 "$P" analyze --rate 1 sym.tsv
expect_exit 2 "$P" analyze --tau 1,,2 sym.tsv
expect_exit 2 "$P" analyze --tau -1 sym.tsv
expect_exit 2 "$P" analyze --series phase --rate 1 --lucky 10 alt.txt
echo "stability and time error: hand-computed answers, lab grid, files = JSON, bad inputs"
