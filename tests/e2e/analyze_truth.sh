#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# The truth contract between helpers, end to end: 'ptpcal truth' turns recorded PPS edges and
# PHC readings into a truth dataset; 'ptpcal analyze' uses it (1) alone, as the clock's own
# error series, and (2) as the truth for exchanges, recovering a known asymmetry exactly.
#   PPS edges at whole seconds + 123456 ns (CLOCK_REALTIME), the PHC 37 s + 200 ns ahead:
#   with --clock phc the true offset is 123656 ns (folded to the second); with --clock system
#   123456 ns. Exchanges with that slave offset and d_ms - d_sm = 200 us (+-1 us alternating
#   on the forward path) have offset - truth = 100 us exactly on average.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
cd "$E2E_DIR"
P="$PTPCAL"
T0=1795000000
awk -v T0=$T0 'BEGIN { print "# ptpcal-dataset 1 pps"; print "t_s\tseq\tedge\tsys"
    for (i = 0; i < 300; i++) printf "%d\t%d\tassert\t%d.000123456\n", i, i + 1, T0 + i }' >pps.tsv
awk -v T0=$T0 'BEGIN { print "# ptpcal-dataset 1 phc"
    print "t_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod"
    for (i = 0; i < 1200; i++) { s = T0 + int(i / 4); ns = (i % 4) * 250000000
        printf "%.2f\t%d.%09d\t%d.%09d\t37000000200.0\t100\tPTP_SYS_OFFSET_EXTENDED\n", i / 4, s, ns, s + 37, ns + 200 } }' >phc.tsv
"$P" truth --pps pps.tsv --phc phc.tsv -o truth-phc.tsv >/dev/null 2>&1 || die "ptpcal truth (phc)"
"$P" truth --pps pps.tsv --phc phc.tsv --clock system -o truth-sys.tsv >/dev/null 2>&1 ||
    die "ptpcal truth (system)"

# (1) alone: the clock's error series
"$P" analyze truth-phc.tsv --json >alone.json || die "analyze truth alone"
# (2) exchanges in the capture's clock (system), 8 per second
python3 - $T0 <<'PY'
import sys
T0 = int(sys.argv[1]) * 10**9
theta = 123456
def ts(x): return "%d.%09d" % (x // 10**9, x % 10**9)
with open("ex.tsv", "w") as f:
    f.write("# ptpcal-dataset 1 exchanges\n")
    f.write("t_s\tdomain\tmaster\tslave\tencap\tsync_seq\treq_seq\ttwo_step\tt1\tt2\tt3\tt4\t"
            "corr_sync_sns\tcorr_req_sns\tcorr_resp_sns\tfwd_ns\trev_ns\toffset_ns\tdelay_ns\tasym_ns\n")
    for i in range(8 * 290):
        t = T0 + 2 * 10**9 + i * 125000000
        dms = 600000 + (1000 if i % 2 else -1000)
        dsm = 400000
        t3 = t + 50000000
        f.write("0\t0\t000000.0000.000001-1\t000000.0000.000002-1\tL2\t%d\t%d\t1\t%s\t%s\t%s\t%s\t0\t0\t0\t0\t0\t0\t0\t0\n"
                % (i % 65536, i % 65536, ts(t), ts(t + dms + theta), ts(t3), ts(t3 + dsm - theta)))
PY
"$P" analyze ex.tsv --truth truth-sys.tsv --json --settle none >ex.json || die "analyze with the truth"
"$P" analyze ex.tsv truth-phc.tsv --json --settle none >ex-tai.json || die "analyze with the PHC truth"
"$P" analyze ex.tsv --json --settle none >ex-none.json || die "analyze without truth"
python3 - <<'PY' || die "truth contract"
import json
a = json.load(open("alone.json"))
assert a["input_kind"] == "truth" and a["samples"] == 300, (a["input_kind"], a["samples"])
assert abs(a["offset"]["mean"] - 123656) < 0.5 and a["offset"]["std"] < 0.5, a["offset"]
assert a["bias"] is None and len(a["stability"]) > 3
e = json.load(open("ex.json"))
b, s = e["bias"], e["asymmetry"]
print(f"bias {b['mean_ns']:.3f} ns [{b['ci_lo_ns']:.3f}, {b['ci_hi_ns']:.3f}] (truth 100000), "
      f"asymmetry {s['mean_ns']:.3f} ns (truth 200000); reference: {b['reference']}")
assert abs(b["mean_ns"] - 100000) < 0.5 and b["ci_lo_ns"] <= 100000 <= b["ci_hi_ns"]
assert abs(s["mean_ns"] - 200000) < 1
assert "pps" in b["reference"] and b["n"] == e["samples"]
# the offset itself is theta + A/2
assert abs(e["offset"]["mean"] - (123456 + 100000)) < 0.5
# the PHC-time truth is 37 s (TAI - UTC) away from the capture's clock: flagged
t = json.load(open("ex-tai.json"))
assert any(h["code"] == "truth-timescale" for h in t["health"]), t["health"]
n = json.load(open("ex-none.json"))
assert n["bias"] is None and any(h["code"] == "asymmetry-unobservable" for h in n["health"])
PY
echo "truth from PPS + PHC recordings: analysed alone, and as the truth that recovers a known asymmetry"
