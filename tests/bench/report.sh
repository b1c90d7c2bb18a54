#!/bin/sh
# ptpcal report on a synthetic 24-hour analysis of 10^6 exchanges (tests/tools/synth_analysis):
# the whole report (reading 10^6 rows, decimating, ten figures rendered to PNG and SVG, HTML)
# against gnuplot plotting the raw offset series once (one PNG), measured in the same run.
. "$PTPCAL_TOP/tests/bench/_lib.sh"
set -e
command -v gnuplot >/dev/null 2>&1 || { echo "skip: gnuplot not installed"; exit 0; }
d="$BENCH_DIR/report"
rm -rf "$d"
mkdir -p "$d"
"$PTPCAL_TOP/build/tests/tools/synth_analysis" -o "$d/a24" -n 1000000 -d 86400 --truth
cat >"$d/raw.gp" <<GP
set terminal pngcairo size 1000,440
set output '$d/raw.png'
plot '$d/a24/series.tsv' using 1:2 every ::1 with lines
GP
rep=$(best_us 2 "$PTPCAL" report -q -o "$d/out" --from-analysis "$d/a24")
raw=$(best_us 2 gnuplot "$d/raw.gp")
echo "report of 10^6 samples (24 h): $((rep / 1000)) ms for 9 figures (PNG+SVG) and the HTML"
echo "gnuplot plotting the raw offsets once (1 PNG): $((raw / 1000)) ms"
echo "ratio report / one raw gnuplot plot: $(ratio "$rep" "$raw")"
echo "peak RSS of the report: $(peak_kb "$PTPCAL" report -q -o "$d/out" --from-analysis "$d/a24") KiB"
