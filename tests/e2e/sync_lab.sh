#!/bin/sh
# ptpcal sync --lab end to end: real ptp4l in the lab through a 300/100 us path (IEEE 1588:
# the client's offset is biased by (d_ms - d_sm)/2 = +100 us, less the capture tap's ~2 us,
# docs/errata.md 9), calibrated against the lab's truth, measured again with the emitted
# delayAsymmetry: the residual must be within a few us of zero.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need tcpdump
need python3
netns_require_root || skip "needs root for network namespaces"
cd "$E2E_DIR"
expect_exit 2 "$PTPCAL" sync
grep -q -- '--lab' "$ERR" || die "no hint about --lab"
expect_exit 0 "$PTPCAL" sync --help
"$PTPCAL" sync --lab -d 8s --fwd 300us --rev 100us -o run --json >sync.json 2>progress.txt ||
    die "sync failed: $(cat progress.txt sync.json)"
cat progress.txt
python3 - <<'PY'
import json
d = json.load(open("sync.json"))
b, a = d["before"], d["after"]
print("before %.0f ns [%.0f, %.0f] lucky %.0f, delayAsymmetry %d, after %.0f ns [%.0f, %.0f] lucky %.0f" % (
    b["bias_ns"], b["ci_lo_ns"], b["ci_hi_ns"], b["lucky50_bias_ns"], d["delayAsymmetry"],
    a["bias_ns"], a["ci_lo_ns"], a["ci_hi_ns"], a["lucky50_bias_ns"]))
assert d["schema"] == "ptpcal-sync/1"
assert 85000 < b["lucky50_bias_ns"] < 105000, b
assert abs(d["delayAsymmetry"] - b["bias_ns"]) < 2, d
assert abs(a["lucky50_bias_ns"]) < 5000, a
assert d["improved"] is True
PY
grep -q 'sync 4/4' progress.txt || die "no progress lines"
grep -q '^delayAsymmetry ' run/after/*/ptp4l.conf 2>/dev/null || grep -rq 'delayAsymmetry' run/after || die "the after run has no delayAsymmetry"
expect_exit 2 "$PTPCAL" sync --lab -o run
