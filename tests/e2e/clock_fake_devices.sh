#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# The real device code (capture/phc.c, pps.c, extts.c: ioctls, structs, method fallback,
# waits, the live truth loop) against stand-in devices: tests/e2e/fakedev/fake_clockdev.c,
# preloaded, fakes /dev/ptp-fake0 and /dev/pps-fake0 with a known model (its header):
# PHC - CLOCK_REALTIME = 37000005000 ns; only the shortest bracket reads it exactly; PPS
# edges 250 us after each second; EXTTS events at each second in PHC time.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
cc=${CC:-cc}
command -v "$cc" >/dev/null || skip "no C compiler to build the stand-in devices"
cd "$E2E_DIR"
"$cc" -shared -fPIC -O1 -o fake.so "$PTPCAL_TOP/tests/e2e/fakedev/fake_clockdev.c" -ldl ||
    skip "cannot build a shared object here"
fake() { env LD_PRELOAD="$E2E_DIR/fake.so" "$@"; }
fakem() { m=$1; shift; env FAKE_PTP_METHODS="$m" LD_PRELOAD="$E2E_DIR/fake.so" "$@"; }
ptp=/dev/ptp-fake0 pps=/dev/pps-fake0

# phc cmp, method by method: phc_ctl's line (CLOCK_REALTIME - PHC) and the best bracket.
fake "$PTPCAL" phc cmp $ptp --tai-utc 37 --expect tai >cmp.txt
grep -qx "$ptp: offset from CLOCK_REALTIME is -37000005000ns" cmp.txt || die "extended: $(cat cmp.txt)"
grep -q "(PTP_SYS_OFFSET_EXTENDED, best of 9, bracket 400.0 ns)" cmp.txt || die "not the best bracket: $(cat cmp.txt)"
grep -q "verdict: the PHC holds TAI" cmp.txt || die "verdict: $(cat cmp.txt)"
fakem precise,basic "$PTPCAL" phc cmp $ptp >cmp.txt
grep -qx "$ptp: offset from CLOCK_REALTIME is -37000005000ns" cmp.txt && grep -q PTP_SYS_OFFSET_PRECISE cmp.txt ||
    die "precise fallback: $(cat cmp.txt)"
fakem basic "$PTPCAL" phc cmp $ptp >cmp.txt
grep -qx "$ptp: offset from CLOCK_REALTIME is -37000005000ns" cmp.txt && grep -q "(PTP_SYS_OFFSET, " cmp.txt ||
    die "basic fallback: $(cat cmp.txt)"
fakem gettime "$PTPCAL" phc cmp $ptp --json >cmp.json 2>/dev/null
python3 - cmp.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["method"] == "clock_gettime", j
# a real clock_gettime bracket: within its width of the model
assert abs(j["phc_minus_realtime_ns"] - 37000005000) <= max(j["bracket_ns"], 1000), j
PY
expect_exit 2 fakem none "$PTPCAL" phc cmp $ptp
[ "$(wc -l <"$ERR")" = 1 ] && grep -q "cannot read the PHC" "$ERR" || die "no method: $(cat "$ERR")"
fake "$PTPCAL" phc caps $ptp | grep -q "n_ext_ts 2, n_per_out 1" || die "caps"

# phc record: every reading is the model exactly.
fake "$PTPCAL" phc record $ptp --duration 1.2 --rate 4 -q -o phc.tsv
python3 - phc.tsv <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith("#")][1:]
assert len(rows) >= 4, len(rows)
for r in rows:
    sys_, phc = (int(x.replace(".", "")) for x in (r[1], r[2]))
    assert phc - sys_ == 37000005000 and r[4] == "400", r
print(len(rows), "readings, all PHC - sys = 37000005000 ns")
PY

# Live truth: PPS edges through the PHC readings: the PHC is 250 us + 5000 ns ahead.
fake "$PTPCAL" truth -q --pps $pps --phc $ptp --duration 3.6 -o truth.tsv
python3 - truth.tsv <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
rows = [l.split("\t") for l in lines if not l.startswith("#")][1:]
assert len(rows) >= 2, rows
seqs = [int(r[5]) for r in rows]
assert all(r[2] == "255000.000" for r in rows), rows
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
print(len(rows), "PPS edges, every truth offset 255000.000 ns")
PY

# EXTTS on the PHC and PPS recordings from the devices.
fake "$PTPCAL" extts record $ptp --index 0 --pin 1 --duration 2 -q -o extts.tsv
"$PTPCAL" truth -q --extts extts.tsv -o truth2.tsv
n=$(grep -v '^#' truth2.tsv | awk -F'\t' 'NR > 1 && $3 == "5000.000"' | wc -l)
[ "$n" -ge 2 ] || die "EXTTS truth: $(cat truth2.tsv)"
expect_exit 2 fake "$PTPCAL" extts record $ptp --index 5 -o x.tsv
grep -q "no external timestamp channel 5" "$ERR" || die "channel check: $(cat "$ERR")"
fake "$PTPCAL" pps record $pps --duration 1.5 -q -o pps.tsv
grep -v '^#' pps.tsv | awk -F'\t' 'NR > 1' | grep -q 'assert	[0-9]*\.000250000$' || die "pps record: $(cat pps.tsv)"
fake "$PTPCAL" extts perout $ptp --index 0 --pin 0 --period 1s --phase 100ms || die "perout"
expect_exit 2 fake "$PTPCAL" extts perout $ptp --index 3 --period 1s
grep -q "no periodic output channel 3" "$ERR" || die "perout channel check: $(cat "$ERR")"
echo "fake devices: phc cmp (4 methods), record, caps, live PPS truth, EXTTS, PPS, PEROUT all as modelled"
