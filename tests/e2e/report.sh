#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# ptpcal report: PNG and SVG files that are valid (PNG signature and IHDR size, SVG parses as
# XML), an index.html that references every rendered figure and nothing that does not exist,
# short (10 s) and long (24 h, date axis) runs, the switch residence figure, the calibration
# lines escaped, the no-gnuplot mode (HTML and text with a note naming gnuplot-nox), bad
# inputs, and -- once 'ptpcal analyze' exists -- the real analysis of bundled datasets.
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
set -e
need gnuplot
FX="$PTPCAL_TOP/tests/fixtures/report"
SYNTH="$PTPCAL_TOP/build/tests/tools/synth_analysis"
[ -x "$SYNTH" ] || die "$SYNTH not built (make build/tests/tools/synth_analysis)"

# check_png FILE W H: PNG signature, IHDR first with the expected width and height.
check_png() {
    sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
    [ "$sig" = "89504e470d0a1a0a" ] || die "$1: not a PNG (signature $sig)"
    ihdr=$(od -An -c -j12 -N4 "$1" | tr -d ' \n')
    [ "$ihdr" = "IHDR" ] || die "$1: first chunk is not IHDR"
    w=$(od -An -tu1 -j16 -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    h=$(od -An -tu1 -j20 -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    [ "$w" = "$2" ] && [ "$h" = "$3" ] || die "$1: ${w}x${h}, expected ${2}x${3}"
}
check_svg() {
    if command -v xmlstarlet >/dev/null 2>&1; then
        xmlstarlet val -q -w "$1" || die "$1: not well-formed XML"
    else
        python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" \
            || die "$1: not well-formed XML"
    fi
    grep -q '<svg' "$1" || die "$1: no <svg> element"
}
# check_report DIR: every referenced file exists; every rendered figure is referenced.
check_report() {
    d=$1
    [ -s "$d/index.html" ] || die "$d/index.html missing"
    [ -s "$d/report.txt" ] || die "$d/report.txt missing"
    refs=$(grep -o -E '(src|href)="[^"]*"' "$d/index.html" | sed -E 's/^(src|href)="(.*)"$/\2/' | sort -u)
    for r in $refs; do
        case $r in http*|\#*) continue ;; esac
        [ -e "$d/$r" ] || die "$d/index.html references $r, which does not exist"
    done
    for p in "$d"/*.png; do
        [ -e "$p" ] || continue
        b=$(basename "$p" .png)
        check_png "$p" 1000 440
        check_svg "$d/$b.svg"
        [ -s "$d/$b.gp" ] || die "$d/$b.gp missing"
        echo "$refs" | grep -qx "$b.png" || die "$d/index.html does not show $b.png"
    done
}

# 1. the fixture of analyze's output, with a calibration and a switch log
out="$E2E_DIR/fixture"
"$PTPCAL" report -q -o "$out" --from-analysis "$FX/analyze-out-fixture" \
    --calibration "$FX/calibrate-fixture.json" \
    --switch-log "$PTPCAL_TOP/datasets/lab-l2-plus200/frames.tsv.xz" --title 'Fixture <run> & co'
check_report "$out"
for f in offset offset_zoom delay histogram bias truth adev tdev mtie_mask tdev_mask residence; do
    [ -s "$out/$f.png" ] || die "figure $f was not rendered"
done
grep -q 'Fixture &lt;run&gt; &amp; co' "$out/index.html" || die "title not escaped"
grep -q 'delayAsymmetry -3198 # &lt;b&gt;fixture&lt;/b&gt; &amp; more' "$out/index.html" \
    || die "calibration line missing or not escaped"
grep -q '<b>fixture</b>' "$out/index.html" && die "unescaped text from the calibration"
grep -q 'synthetic fixture &lt;not a measurement&gt; &amp;' "$out/index.html" \
    || die "health message missing or not escaped"
grep -q "delayAsymmetry -3198" "$out/report.txt" || die "calibration lines missing in report.txt"
# residence: both directions counted from the switch log
grep -q "Sync (master.*slave, [1-9]" "$out/index.html" || die "residence caption without counts"
# time error: class D's verdict is on max|TE_L|; the G.8271.1 network limit at point C is a
# row with its verdict and a mask in the MTIE figure (at its own taus), not in the TDEV one
grep -qE "^  class D \(max\|TE_L\|\) +fail +\(max\|TE_L\| 1\.003 µs > 5\.0 ns\)$" "$out/report.txt" \
    || die "class D not labelled max|TE_L|: $(grep 'class D' "$out/report.txt")"
grep -qE "^  class A +fail +\(max\|TE\| 3\.933 µs > 100\.0 ns; also fails cTE, dTE_H\)$" "$out/report.txt" \
    || die "class A verdict: $(grep 'class A' "$out/report.txt")"
grep -qE "^  network limit, point C +pass +\(.*max\|TE_L\| 1\.003 µs ≤ 1\.100 µs; dTE_L MTIE within the mask at 3 taus\)$" \
    "$out/report.txt" || die "point C row: $(grep 'point C' "$out/report.txt")"
grep -q "network limit, point C" "$out/index.html" || die "point C row not on the page"
[ "$(sed -n '/^# G.8271.1 point C/,/^$/p' "$out/mtie_mask.dat" | grep -c '^[0-9]')" = 3 ] \
    || die "point C mask not in mtie_mask.dat"
grep -q "title 'G.8271.1 point C limit'" "$out/mtie_mask.gp" || die "point C mask not plotted"
grep -q "point C" "$out/tdev_mask.gp" "$out/tdev_mask.dat" && die "point C mask in the TDEV figure"
# ... failing (max|TE_L| and 2 of 3 MTIE points over), and an analysis from before network_c
# and max_abs_te_limit_on: no point C row or mask, classes labelled as before
for v in netfail old; do
    cp -r "$FX/analyze-out-fixture" "$E2E_DIR/te-$v"
    python3 - "$E2E_DIR/te-$v/summary.json" "$v" <<'PY'
import json, sys
p, v = sys.argv[1], sys.argv[2]
a = json.load(open(p))
te = a["time_error"]
if v == "netfail":
    n = te["network_c"]
    n.update(max_abs_te_l_limit=500, max_abs_te_l_pass=False, dte_l_mtie_pass=False, **{"pass": False})
    for m in n["dte_l_mtie"]:
        m["limit"] = 6
else:
    del te["network_c"], te["max_abs_te_l"]
    for c in te["classes"].values():
        for k in ("max_abs_te_limit_on", "max_abs_te_l_limit", "max_abs_te_l_pass"):
            del c[k]
json.dump(a, open(p, "w"))
PY
    "$PTPCAL" report -q -o "$E2E_DIR/te-$v-out" --from-analysis "$E2E_DIR/te-$v" || die "te-$v: report failed"
    check_report "$E2E_DIR/te-$v-out"
done
grep -qE "^  network limit, point C +fail +\(.*max\|TE_L\| 1\.003 µs > 500\.0 ns; dTE_L MTIE above the mask at 2 of 3 taus\)$" \
    "$E2E_DIR/te-netfail-out/report.txt" || die "failing point C row: $(grep 'point C' "$E2E_DIR/te-netfail-out/report.txt")"
grep -q "point C" "$E2E_DIR/te-old-out/report.txt" "$E2E_DIR/te-old-out/mtie_mask.gp" &&
    die "point C shown for an analysis without network_c"
grep -qE "^  class D +fail" "$E2E_DIR/te-old-out/report.txt" || die "class D of an older analysis"

# 2. a 10-second run: seconds axis; a 24-hour run: UTC date axis, decimated
"$SYNTH" -o "$E2E_DIR/a10" -n 80 -d 10
"$PTPCAL" report -q -o "$E2E_DIR/r10" --from-analysis "$E2E_DIR/a10"
check_report "$E2E_DIR/r10"
grep -q "time since start (s)" "$E2E_DIR/r10/offset.gp" || die "10 s run: not a seconds axis"
"$SYNTH" -o "$E2E_DIR/a24" -n 100000 -d 86400
"$PTPCAL" report -q -o "$E2E_DIR/r24" --from-analysis "$E2E_DIR/a24"
check_report "$E2E_DIR/r24"
grep -q "set xdata time" "$E2E_DIR/r24/offset.gp" || die "24 h run: no date axis"
rows=$(grep -vc '^#' "$E2E_DIR/r24/offset.dat")
[ "$rows" -le 3000 ] || die "24 h run: offset.dat has $rows rows (not decimated)"

# 3. without gnuplot: HTML and text still appear, with a note naming the package
mkdir -p "$E2E_DIR/nobin"
PATH="$E2E_DIR/nobin" "$PTPCAL" report -o "$E2E_DIR/nogp" \
    --from-analysis "$FX/analyze-out-fixture" >/dev/null 2>"$E2E_DIR/nogp.err" || die "no-gnuplot run failed"
grep -q gnuplot-nox "$E2E_DIR/nogp/index.html" || die "no-gnuplot: no note in index.html"
grep -q gnuplot-nox "$E2E_DIR/nogp/report.txt" || die "no-gnuplot: no note in report.txt"
grep -q gnuplot-nox "$E2E_DIR/nogp.err" || die "no-gnuplot: no warning on stderr"
grep -q '<img' "$E2E_DIR/nogp/index.html" && die "no-gnuplot: index.html shows pictures"
ls "$E2E_DIR/nogp"/*.png >/dev/null 2>&1 && die "no-gnuplot: PNGs appeared"
[ -s "$E2E_DIR/nogp/offset.gp" ] || die "no-gnuplot: scripts not written"
check_report "$E2E_DIR/nogp"

# 3b. gnuplot that fails, or exits 0 without pictures: exit 3, the page says why, no <img>
mkdir -p "$E2E_DIR/fakegp" "$E2E_DIR/lazygp"
printf '#!/bin/sh\necho "\"$1\" line 7: fake failure" >&2\nexit 1\n' >"$E2E_DIR/fakegp/gnuplot"
printf '#!/bin/sh\nexit 0\n' >"$E2E_DIR/lazygp/gnuplot"
chmod +x "$E2E_DIR/fakegp/gnuplot" "$E2E_DIR/lazygp/gnuplot"
expect_exit 3 env PATH="$E2E_DIR/fakegp" "$PTPCAL" report -q -o "$E2E_DIR/gpfail" \
    --from-analysis "$FX/analyze-out-fixture"
grep -q "offset.gp.*line 7: fake failure" "$ERR" || die "gnuplot failure not reported: $(cat "$ERR")"
grep -q "Not rendered" "$E2E_DIR/gpfail/index.html" || die "gnuplot failure not on the page"
grep -q '<img' "$E2E_DIR/gpfail/index.html" && die "failed figures shown as pictures"
expect_exit 3 env PATH="$E2E_DIR/lazygp" "$PTPCAL" report -q -o "$E2E_DIR/gplazy" \
    --from-analysis "$FX/analyze-out-fixture"
grep -q "wrote no offset.png" "$ERR" || die "missing pictures not detected: $(cat "$ERR")"

# 3c. degenerate analyses: summary only; one sample; only NaNs. Nothing to plot is not an error.
S='{"schema":"ptpcal-analyze/1","inputs":[],"samples":0,"duration_s":0,"stability":[],"health":[]}'
mkdir -p "$E2E_DIR/e1" "$E2E_DIR/e2" "$E2E_DIR/e3"
for e in e1 e2 e3; do echo "$S" >"$E2E_DIR/$e/summary.json"; done
printf '# ptpcal-dataset 1 series\nt_ns\toffset_ns\tdelay_ns\tstate\n1795584296894952376\t5\t7\tlocked\n' \
    >"$E2E_DIR/e2/series.tsv"
printf '# ptpcal-dataset 1 series\nt_ns\toffset_ns\tdelay_ns\tstate\n1\tnan\tnan\tlocked\n2\tnan\tnan\tsettling\n' \
    >"$E2E_DIR/e3/series.tsv"
for e in e1 e2 e3; do
    "$PTPCAL" report -q -o "$E2E_DIR/$e-out" --from-analysis "$E2E_DIR/$e" || die "degenerate analysis $e failed"
    check_report "$E2E_DIR/$e-out"
done
grep -q "no finite values" "$E2E_DIR/e3-out/report.txt" || die "all-NaN series not explained"

# 4. bad usage and inputs: exit 2, one line naming the file
expect_exit 0 "$PTPCAL" report --help
expect_exit 2 "$PTPCAL" report --from-analysis "$FX/analyze-out-fixture"
expect_exit 2 "$PTPCAL" report -o "$E2E_DIR/x" "$E2E_DIR/missing.tsv"
grep -q "missing.tsv" "$ERR" || die "missing input not named"
mkdir -p "$E2E_DIR/bad"
printf '{"schema":"ptpcal-analyze/1","samples":[1,}' >"$E2E_DIR/bad/summary.json"
expect_exit 2 "$PTPCAL" report -o "$E2E_DIR/x" --from-analysis "$E2E_DIR/bad"
grep -q "summary.json: line 1, column" "$ERR" || die "bad JSON not located: $(cat "$ERR")"
cp -r "$FX/analyze-out-fixture" "$E2E_DIR/bad2"
printf 't_ns\toffset_ns\tdelay_ns\tstate\n1\t2\t3\tfloating\n' >"$E2E_DIR/bad2/series.tsv"
expect_exit 2 "$PTPCAL" report -o "$E2E_DIR/x" --from-analysis "$E2E_DIR/bad2"
grep -q "series.tsv" "$ERR" || die "bad series not named"
expect_exit 2 "$PTPCAL" report -o "$E2E_DIR/x" --from-analysis "$FX/analyze-out-fixture" \
    --calibration "$FX/analyze-out-fixture/summary.json"
grep -q "ptpcal-calibrate/1" "$ERR" || die "wrong calibration schema not reported"

# 5. the real analysis on the bundled datasets (once 'ptpcal analyze' exists)
if "$PTPCAL" analyze --help >/dev/null 2>&1; then
    "$PTPCAL" capture -q -r "$PTPCAL_TOP/datasets/direct-l2-30s.pcap" -o "$E2E_DIR/direct.tsv"
    "$PTPCAL" report -q -o "$E2E_DIR/real" "$E2E_DIR/direct.tsv"
    check_report "$E2E_DIR/real"
    [ -s "$E2E_DIR/real/offset.png" ] || die "real analysis: no offset figure"
    "$PTPCAL" lab replay -q -c cl2 -o "$E2E_DIR/plus200.tsv" "$PTPCAL_TOP/datasets/lab-l2-plus200" \
        >/dev/null || true
    if [ -s "$E2E_DIR/plus200.tsv" ]; then
        cal=""
        if "$PTPCAL" calibrate --help >/dev/null 2>&1; then
            # 90 s is below calibrate's 10 min minimum: --force for the lines
            "$PTPCAL" calibrate -q --force --json "$E2E_DIR/plus200.tsv" >"$E2E_DIR/cal.json" || true
            [ -s "$E2E_DIR/cal.json" ] && cal="--calibration $E2E_DIR/cal.json"
        fi
        # shellcheck disable=SC2086
        "$PTPCAL" report -q -o "$E2E_DIR/real2" "$E2E_DIR/plus200.tsv" $cal \
            --switch-log "$PTPCAL_TOP/datasets/lab-l2-plus200/frames.tsv.xz"
        check_report "$E2E_DIR/real2"
        for f in offset delay histogram bias truth residence; do
            [ -s "$E2E_DIR/real2/$f.png" ] || die "lab-l2-plus200: figure $f missing"
        done
        # stability and masks: drawn whenever the analysis computed them
        if [ "$(grep -vc '^#' "$E2E_DIR/real2/data/stability.tsv")" -gt 1 ]; then
            [ -s "$E2E_DIR/real2/adev.png" ] && [ -s "$E2E_DIR/real2/tdev.png" ] \
                || die "stability computed but not drawn"
        fi
        if [ "$(grep -vc '^#' "$E2E_DIR/real2/data/te_masks.tsv")" -gt 1 ]; then
            [ -s "$E2E_DIR/real2/mtie_mask.png" ] && [ -s "$E2E_DIR/real2/tdev_mask.png" ] \
                || die "time error evaluated but its masks not drawn"
            grep -qE "^  network limit, point C +(pass|fail)" "$E2E_DIR/real2/report.txt" \
                || die "lab-l2-plus200: no point C verdict"
            grep -q "^# G.8271.1 point C" "$E2E_DIR/real2/mtie_mask.dat" \
                || die "lab-l2-plus200: no point C mask"
        fi
        if [ -n "$cal" ]; then
            grep -q "delayAsymmetry" "$E2E_DIR/real2/index.html" || die "calibration lines missing"
        fi
    fi
    echo "real analysis: checked"
else
    echo "note: 'ptpcal analyze' is not in this build; the report was checked on fixtures only"
fi
echo "report: ok"
