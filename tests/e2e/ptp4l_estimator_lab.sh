#!/bin/sh
# ptp4l's own estimator, replayed by analyze (analyze/ptp4l_estimator.h), against the real
# ptp4l 3.1.1 of a PDV-heavy lab run (~75 s, root): a symmetric client (cl1) and one whose
# forward path adds Exp(120 us) delay variation (cl2: skewed, so the moving median of the path
# delay sits below its mean and ptp4l settles away from the mean two-way offset).
#
# ptp4l (free_running 1, logSyncInterval -5, freq_est_interval 0, summary_interval -5) logs
# "master offset O ... path delay D" for every 32nd Sync (clock.c clock_no_adjust(): once per
# 2^(freq_est_interval - logSyncInterval) Syncs; 3.1.1 refuses freq_est_interval < 0). Since
# O + D = t2 - t1c exactly, each logged line is matched to its Sync in the replay, and:
#  1. sample by sample, logged - replayed offset is the capture's floor (tcpdump stamps a
#     Delay_Req before ptp4l does: docs/errata.md item 9): the same on both clients within
#     their 99.9 % interval + the span of the floor's states in the run + 1 us (two clients'
#     taps, and the replay's one approximation);
#  2. the mean-based and ptp4l-based biases of cl2 differ by >= 5 us (Exp(120 us) makes the
#     gap 15-25 us; its 99.9 % interval from the run is printed);
#  3. ptp4l's mean logged offset on cl2 matches the replayed ptp4l bias + the floor of cl1
#     within their combined 99.9 % interval (wide: ~40 logged offsets of a PDV-heavy path,
#     their sampling spread taken from the whole replay).
# Every verdict uses the run's own noise and the one host clock's truth (offset 0).
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for network namespaces"
need ptp4l
need tcpdump
need python3
cd "$E2E_DIR"

estimator_run() { # DIR: one lab run and its verdicts (lab_check repeats it once if the
    # switch could not keep time, then skips with the figure: tests/e2e/_lib.sh)
cd "$1"
# 32 Syncs and Delay_Reqs a second: the gap's own noise (the raw delays' spread about their
# moving median, and the VM's scheduling tails) shrinks with the count: 45 s give ~1400
# Syncs, the gap's standard error ~5 us against an expected 15-25 us.
"$PTPCAL" lab run -q -n "${NS_PREFIX}e$(basename "$1" | tr -dc 0-9)" -o "$1/lab" -d 45s --sync-interval -5 --delay-req-interval -5 \
    --client --fwd 400us --rev 400us \
    --client --fwd delay=400us,pdv=exp:120us --rev 400us >run.txt 2>&1 ||
    [ $? -eq 1 ] || die "lab run failed: $(tail -5 run.txt)"
for k in 1 2; do
    "$PTPCAL" analyze "lab/cl$k/exchanges.tsv" --ptp4l-conf "lab/cl$k/ptp4l.conf" --json \
        --out "out$k" >"cl$k.json" 2>"cl$k.err" || die "analyze cl$k: $(cat "cl$k.err")"
done
python3 - <<'PY'
import json, math, os, statistics as st, sys

sys.path.insert(0, os.environ["PTPCAL_TOP"] + "/tests/e2e")
from ptp4l_log_match import match, read_logged, read_replay, read_rows

def replay(k):
    return read_replay(f"out{k}/ptp4l_offsets.tsv")

def logged(k):
    return read_logged(f"lab/cl{k}/ptp4l.log")

def mean_se(v):
    return st.mean(v), st.stdev(v) / math.sqrt(len(v))

fail = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        fail.append(what)

Z = 3.29  # 99.9 %: several comparisons per run (docs/design.md)
res = {}
for k in (1, 2):
    rep, log = replay(k), logged(k)
    p = match(rep, log)
    check(len(log) >= 30 and len(p) >= 0.5 * len(log),
          f"cl{k}: {len(p)} of {len(log)} logged offsets matched to a replayed Sync")
    d = [o - r[0] for o, r in p]                      # logged - replayed (ptp4l estimator)
    dm = [o - r[2] for o, r in p]                     # logged - two-way offset (mean estimator)
    res[k] = dict(p=p, d=mean_se(d), dm=mean_se(dm), sd=st.stdev(d),
                  logged=mean_se([o for o, _ in p]), a=json.load(open(f"cl{k}.json")))
    print(f"cl{k}: logged - replayed per Sync: mean {res[k]['d'][0]:+.0f} ns (se "
          f"{res[k]['d'][1]:.0f}), std {res[k]['sd']:.0f}; logged - two-way: "
          f"{res[k]['dm'][0]:+.0f} ns, std {st.stdev(dm):.0f}")
if fail:
    sys.exit(1)
# 1. the floor, sample by sample, is the same on both clients: the replay is ptp4l's estimator
f1, f2 = res[1]["d"], res[2]["d"]
# The floor is not one value per client: it sits in a few states (seen ~0.5, ~1.8 and ~5 us)
# and each client's ptp4l/tcpdump pair switches between them at random times, on its own
# (lab-check run 13: cl1 at ~5 us from 8 s to the end, cl2 at ~0.5 us from 15 s: per-client
# means +4367 and +961 ns, each with a small se). So the two means may differ by the span of
# the states this run showed: S, the 10th..90th percentile range of both clients' per-Sync
# values together. A replay that is not ptp4l's estimator on the PDV path scatters cl2's
# values by tens of us (the next check) and moves its mean by the gap (check 3).
# + 1 us: the two clients' taps (0.5 us, lab_asymmetry.sh) and the replay's one approximation,
# a Sync whose Follow_Up arrives between a Delay_Req and its Delay_Resp (ptp4l pairs the raw
# delay with it, the exchanges with the one before: ~1 % of delays under this PDV)
dec = st.quantiles([o - r[0] for k in (1, 2) for o, r in res[k]["p"]], n=10)
S = dec[-1] - dec[0]
lim = Z * math.hypot(f1[1], f2[1]) + S + 1000
check(abs(f2[0] - f1[0]) <= lim,
      f"per-Sync floor cl2 {f2[0]:+.0f} vs cl1 {f1[0]:+.0f} ns: |diff| <= {lim:.0f} (floor "
      f"states' span {S:.0f})")
# the per-Sync spread of logged - replayed is the floor's, far below the offsets' own spread
o2 = st.stdev([o for o, _ in res[2]["p"]])
check(res[2]["sd"] < 0.25 * o2, f"cl2 per-Sync spread {res[2]['sd']:.0f} ns << offsets' {o2:.0f} ns")
# 2. the gap between the estimators on cl2, with the run's own interval
a2 = res[2]["a"]
pe, b = a2["ptp4l_estimator"], a2["bias"]
gap = pe["bias"]["minus_mean_bias_ns"]
# its interval: batch means (40 Syncs, four times the delay filter's window) of ptp4l's offset
# minus the two-way offset of the same exchange, over the Syncs behind the bias
diff = [float(d["offset_ns"]) - float(d["two_way_offset_ns"])
        for d in read_rows("out2/ptp4l_offsets.tsv") if d["used"] == "1"]
bm = [st.mean(diff[i:i + 40]) for i in range(0, len(diff) - 39, 40)]
gap_se = st.stdev(bm) / math.sqrt(len(bm))
print(f"cl2: mean bias {b['mean_ns']:+.0f} [{b['ci_lo_ns']:+.0f}, {b['ci_hi_ns']:+.0f}], "
      f"ptp4l bias {pe['bias']['mean_ns']:+.0f} [{pe['bias']['ci_lo_ns']:+.0f}, "
      f"{pe['bias']['ci_hi_ns']:+.0f}] ns; ptp4l - mean {gap:+.0f} ns, per-Sync "
      f"{st.mean(diff):+.0f} +- {Z * gap_se:.0f} (99.9 %, {len(bm)} batches)")
check(gap >= 5000, f"mean- and ptp4l-based biases differ by >= 5 us ({gap:+.0f} ns)")
# 3. ptp4l's own mean logged offset vs the predictions (+ the floor of the symmetric client).
# lm - pred = (logged - replayed on the matched Syncs: check 1's cl2 floor, se f2[1])
#           + (the replay on the matched Syncs - its mean over all used Syncs: sampling)
#           - the floor of cl1 (se f1[1]).
# The sampling term's spread comes from the whole replayed population (~1400 Syncs) with the
# finite-population correction, not from the ~35 matched offsets themselves: their spread is
# estimated low exactly when their mean is low (the path's Exp PDV makes the offsets skewed),
# which made the independent-sample interval fail ~1 run in 10 once the lab kept time.
lm, _ = res[2]["logged"]
pred = pe["bias"]["mean_ns"] + f1[0]
pop = [float(d["offset_ns"]) for d in read_rows("out2/ptp4l_offsets.tsv") if d["used"] == "1"]
n, N = len(res[2]["p"]), len(pop)
samp_se = st.stdev(pop) / math.sqrt(n) * math.sqrt(max(0.0, 1 - n / N))
# + S: cl2's floor states need not be cl1's (check 1)
lim = Z * math.sqrt(f2[1] ** 2 + samp_se ** 2 + f1[1] ** 2) + S
check(abs(lm - pred) <= lim,
      f"ptp4l's mean logged offset {lm:+.0f} ns vs ptp4l-estimator prediction {pred:+.0f} ns "
      f"(bias + floor): |diff| {abs(lm - pred):.0f} <= {lim:.0f} (sampling se {samp_se:.0f}: "
      f"replay on the {n} matched Syncs {st.mean(r[0] for _, r in res[2]['p']):+.0f}, on all "
      f"{N} {st.mean(pop):+.0f})")
# for the record (no verdict: the two-way offsets of single Syncs are too noisy): on the
# logged Syncs, how far each prediction is from ptp4l
print(f"on the logged Syncs: ptp4l-based prediction off by {abs(f2[0] - f1[0]):.0f} ns, "
      f"mean-based by {abs(res[2]['dm'][0] - res[1]['dm'][0]):.0f} ns")
sys.exit(1 if fail else 0)
PY
}

lab_check estimator estimator_run
lab_done
