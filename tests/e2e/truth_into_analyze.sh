#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# The truth dataset `ptpcal truth` writes is what analyze and calibrate take as the reference (the
# contract in docs/dataset-format.md): a recorded EXTTS series saying the clock is 1234 ns
# ahead of the pulses, over a bundled lab capture's time span, must give analyze the same
# bias as a constant --truth-offset 1234ns, and 1234 ns less than --truth-offset 0.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
cd "$E2E_DIR"
xz -dc "$PTPCAL_TOP/datasets/lab-l2-symmetric/capture.pcap.xz" >cap.pcap
"$PTPCAL" capture -q -r cap.pcap -o ex.tsv
first=$(grep -v '^#' ex.tsv | sed -n 2p | cut -f9 | cut -d. -f1)
last=$(grep -v '^#' ex.tsv | tail -n 1 | cut -f9 | cut -d. -f1)
{
    printf '# ptpcal-dataset 1 extts\n# device: synthetic\nt_s\tindex\tseq\tphc\n'
    n=0
    for s in $(seq $((first - 2)) $((last + 2))); do
        n=$((n + 1))
        printf '%d\t0\t%d\t%d.000001234\n' $n $n $s
    done
} >extts.tsv
"$PTPCAL" truth -q --extts extts.tsv --timescale UTC -o truth.tsv
grep -q '^# timescale: UTC$' truth.tsv || die "truth timescale not recorded"
bias() { "$PTPCAL" analyze ex.tsv "$@" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["bias"]["mean_ns"])'; }
b_truth=$(bias --truth truth.tsv)
b_const=$(bias --truth-offset 1234ns)
b_zero=$(bias --truth-offset 0)
echo "bias: truth dataset $b_truth ns, constant 1234 ns $b_const ns, constant 0 $b_zero ns"
python3 - "$b_truth" "$b_const" "$b_zero" <<'PY'
import sys
t, c, z = map(float, sys.argv[1:])
assert abs(t - c) < 1e-6, f"truth dataset {t} != constant {c}"
assert abs((z - t) - 1234) < 1e-6, f"bias difference {z - t} != 1234"
PY
# calibrate takes it too: the capture's exchanges say timescale unknown (a file), the truth
# UTC, which is no clash; its bias is analyze's (the mean estimator: calibrate's default is
# the bias ptp4l's own estimator settles at, analyze's plain bias is the mean).
b_cal=$("$PTPCAL" calibrate --truth truth.tsv ex.tsv --estimator mean --json 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert "timescale" not in (j["reason"] or ""), j["reason"]
print(j["bias_ns"])')
python3 -c "import sys; t, c = float(sys.argv[1]), float(sys.argv[2]); assert abs(t - c) < 1e-6, (t, c)" "$b_truth" "$b_cal" ||
    die "calibrate's bias $b_cal differs from analyze's $b_truth"
echo "analyze and calibrate take ptpcal truth's dataset as their reference"
