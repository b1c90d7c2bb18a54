#!/bin/sh
# ptpcal report on 24 hours of 10^6 synthetic exchanges (tests/tools/synth_analysis):
# (a) from an analysis directory (reading 10^6 rows, decimating, the figures rendered to PNG
#     and SVG, HTML) and (b) from the exchanges dataset (analyze runs first), each against
# gnuplot plotting the raw offset series once (one PNG), measured in the same run.
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
echo "report of 10^6 samples (24 h): $((rep / 1000)) ms for $(ls "$d/out"/*.png | wc -l) figures (PNG+SVG) and the HTML"
echo "gnuplot plotting the raw offsets once (1 PNG): $((raw / 1000)) ms"
echo "ratio report / one raw gnuplot plot: $(ratio "$rep" "$raw")"
"$PTPCAL_TOP/build/tests/tools/synth_analysis" --exchanges "$d/ex24.tsv" -n 1000000 -d 86400
full=$(best_us 1 "$PTPCAL" report -q -o "$d/full" "$d/ex24.tsv")
echo "analyze + report from 10^6 exchanges (24 h, $(($(wc -c <"$d/ex24.tsv") / 1048576)) MiB): $((full / 1000)) ms; ratio to one raw gnuplot plot: $(ratio "$full" "$raw")"
echo "peak RSS of the report: $(peak_kb "$PTPCAL" report -q -o "$d/out" --from-analysis "$d/a24") KiB"
