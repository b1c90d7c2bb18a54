#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# Stability statistics against allantools (the reference, ../shared/bench) on a 10^4-point
# random phase series (white PM + random-walk phase + random-walk frequency): ADEV, OADEV,
# MDEV, TDEV, HDEV, OHDEV, TOTDEV, MTIE and TIE rms at octave taus agree to 1e-9 relative;
# then the same from frequency data (-f), where the phase is integrated by both tools; and
# the noise type and OADEV interval of five power-law noises against allantools.ci.
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
set -e
py=/usr/bin/python3
ref="$PTPCAL_TOP/../shared/bench"
[ -d "$ref/allantools" ] || ref=/work/shared/bench
[ -d "$ref/allantools" ] || skip "allantools snapshot not found (../shared/bench)"
PYTHONPATH="$ref" $py -c 'import numpy, scipy, allantools' 2>/dev/null ||
    skip "python3-numpy/python3-scipy or allantools not importable"
stabcalc="$PTPCAL_TOP/build/tests/tools/stabcalc"
[ -x "$stabcalc" ] || die "$stabcalc not built (make build/tests/tools/stabcalc)"
tools="$PTPCAL_TOP/tests/tools"
stats=adev,oadev,mdev,tdev,hdev,ohdev,totdev,mtie,tie_rms

$py -c '
import numpy as np, sys
rng = np.random.default_rng(20261126)
n = 10000
x = (rng.normal(0, 2e-9, n) + np.cumsum(rng.normal(0, 3e-10, n))
     + np.cumsum(np.cumsum(rng.normal(0, 1e-13, n))) + 1e-3)
np.savetxt(sys.argv[1], x, fmt="%.17g", header="phase, seconds, 8 Hz")
y = rng.normal(0, 1e-9, n) + np.cumsum(rng.normal(0, 1e-12, n))
np.savetxt(sys.argv[2], y, fmt="%.17g")
' "$E2E_DIR/phase.txt" "$E2E_DIR/freq.txt"

"$stabcalc" -r 8 "$E2E_DIR/phase.txt" >"$E2E_DIR/ours.tsv"
PYTHONPATH="$ref" $py "$tools/allan_ref.py" "$E2E_DIR/phase.txt" 8 "$stats" octave >"$E2E_DIR/ref.tsv"
echo "phase data, 8 Hz, octave taus:"
$py "$tools/stab_compare.py" "$E2E_DIR/ours.tsv" "$E2E_DIR/ref.tsv" "$stats" 1e-9 ||
    die "stabcalc and allantools disagree (phase data)"

# Frequency data: allantools' frequency2phase subtracts the mean frequency before
# integrating, ptpcal keeps it (stab_freq_to_phase; a clock's MTIE and TIE include its
# frequency offset). The seven deviations do not see a frequency offset (second and third
# differences; TOTDEV's odd reflection keeps a ramp a ramp), so they are compared with
# allantools' own integration; all nine with the frequency integrated as ptpcal does.
devs=adev,oadev,mdev,tdev,hdev,ohdev,totdev
"$stabcalc" -f "$E2E_DIR/freq.txt" >"$E2E_DIR/ours-f.tsv"
PYTHONPATH="$ref" $py "$tools/allan_ref.py" "$E2E_DIR/freq.txt" 1 "$devs" octave --freq >"$E2E_DIR/ref-f.tsv"
echo "frequency data, 1 Hz, octave taus, allantools' integration (mean removed):"
$py "$tools/stab_compare.py" "$E2E_DIR/ours-f.tsv" "$E2E_DIR/ref-f.tsv" "$devs" 1e-9 ||
    die "stabcalc and allantools disagree (frequency data)"
PYTHONPATH="$ref" $py "$tools/allan_ref.py" "$E2E_DIR/freq.txt" 1 "$stats" octave --freq-raw >"$E2E_DIR/ref-fr.tsv"
echo "frequency data, 1 Hz, octave taus, integrated with the mean kept:"
$py "$tools/stab_compare.py" "$E2E_DIR/ours-f.tsv" "$E2E_DIR/ref-fr.tsv" "$stats" 1e-9 ||
    die "stabcalc and allantools disagree (frequency data, mean kept)"

# Noise identification (lag-1 ACF) and the OADEV 95 % interval against allantools.ci on the
# five power-law noises (Kasdin-Walter filtered white noise, 8192 points).
$py -c '
import numpy as np, sys
rng = np.random.default_rng(7)
def kasdin(n, beta):
    h = np.ones(n)
    for k in range(1, n):
        h[k] = h[k - 1] * (beta / 2 + k - 1) / k
    return np.convolve(rng.normal(size=n), h)[:n]
n = 8192
for name, beta, integrate in (("wpm", 0, 0), ("fpm", 1, 0), ("wfm", 0, 1), ("ffm", 1, 1),
                              ("rwfm", 2, 1)):
    v = kasdin(n, beta) * 1e-9
    x = np.concatenate(([0.0], np.cumsum(v))) if integrate else v
    np.savetxt(sys.argv[1] + "/noise-" + name + ".txt", x, fmt="%.17g")
' "$E2E_DIR"
for kind in wpm fpm wfm ffm rwfm; do
    "$stabcalc" -s oadev "$E2E_DIR/noise-$kind.txt" >"$E2E_DIR/noise-$kind.tsv"
    printf '%s: ' "$kind"
    PYTHONPATH="$ref" $py "$tools/noise_ci_ref.py" "$E2E_DIR/noise-$kind.txt" \
        "$E2E_DIR/noise-$kind.tsv" 1e-9 || die "noise type or interval differs from allantools ($kind)"
done

# A bad series is refused with the file and line named.
printf '1e-9\n2e-9\nnan\n' >"$E2E_DIR/bad.txt"
expect_exit 2 "$stabcalc" "$E2E_DIR/bad.txt"
grep -q "bad.txt:3: not a finite number" "$ERR" || die "unexpected message: $(cat "$ERR")"
echo "ok"
