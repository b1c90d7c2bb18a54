#!/bin/sh
# `ptpcal analyze` as users run it, whole process, against allantools (the reference snapshot
# in ../shared/bench, numpy) on the same phase series, in the same run (issue 13):
#   ptpcal: analyze --series phase --rate 1 --tau octave --json FILE.txt (reads the text; all
#     nine statistics, the noise type and interval, MTIE and TIE rms to N-1, distribution,
#     G.8273.2 time error);
#   allantools: OADEV, MDEV, TDEV and HDEV at the same octave taus (to (N-1)/2), reading the
#     same text with np.loadtxt, and reading a binary .npy of the array (no text at all);
# as wall-time ratios (target >= 10 on 10^7 points), and ptpcal's peak RSS per input double
# (n * 8 bytes; target <= 3), with the same above a 3-point run (the program itself).
# BENCH_ANALYZE_N="1000000 10000000" (default) sets the sizes; the 10^7 series is 239 MB
# of text, made once in build/bench (about a minute).
set -eu
. "$PTPCAL_TOP/tests/bench/_lib.sh"
allantools_or_skip
aref() { PYTHONPATH="$ref" $py "$PTPCAL_TOP/tests/tools/allan_ref.py" "$@"; }
devs=oadev,mdev,tdev,hdev
ours() { "$PTPCAL" analyze -q --series phase --rate 1 --tau octave --json "$1"; }

printf '1\n2\n3\n' >"$BENCH_DIR/analyze-3.txt"
base_kb=$(peak_kb "$PTPCAL" analyze -q --series phase --rate 1 --json "$BENCH_DIR/analyze-3.txt")
for n in ${BENCH_ANALYZE_N:-1000000 10000000}; do
    txt="$BENCH_DIR/stability-$n.txt" npy="$BENCH_DIR/stability-$n.npy"
    phase_series "$n" "$txt" "$npy"
    input_kb=$((n * 8 / 1024))
    echo "-- $n-point phase series ($(du -k "$txt" | cut -f1) KiB of text, $input_kb KiB as doubles)"
    cat "$txt" "$npy" >/dev/null # into the page cache, for every contender alike
    # rounds of the three contenders in turn (once_us); allantools is slow, so fewer rounds
    # of it on the large series
    rounds=3
    [ "$n" -gt 1000000 ] && rounds=2
    t_ours="" t_text="" t_npy=""
    for _ in $(seq 1 $rounds); do
        t_ours=$(min_us "$t_ours" "$(once_us ours "$txt")")
        t_text=$(min_us "$t_text" "$(once_us aref "$txt" 1 $devs octave)")
        t_npy=$(min_us "$t_npy" "$(once_us aref "$npy" 1 $devs octave)")
        t_ours=$(min_us "$t_ours" "$(once_us ours "$txt")")
    done
    s() { awk -v us="$1" 'BEGIN { printf "%.2f s", us / 1e6 }'; }
    echo "  ptpcal analyze (all statistics, text)      $(s "$t_ours")"
    echo "  allantools 4 deviations, np.loadtxt         $(s "$t_text")   ratio $(ratio "$t_text" "$t_ours")x"
    echo "  allantools 4 deviations, np.load (.npy)     $(s "$t_npy")   ratio $(ratio "$t_npy" "$t_ours")x   (target >= 10 on 10^7 points)"
    # CPU time too (user + system): on a shared machine it shows what a busy spell hides
    # in wall time (ptpcal reads with two threads and shares its statistics among one
    # thread per core, up to 4; allantools uses one)
    c_ours=$(cpu_s "$PTPCAL" analyze -q --series phase --rate 1 --tau octave --json "$txt")
    c_npy=$(cpu_s env PYTHONPATH="$ref" $py "$PTPCAL_TOP/tests/tools/allan_ref.py" "$npy" 1 $devs octave)
    echo "  CPU time: ptpcal $c_ours s, allantools (.npy) $c_npy s; ratio $(ratio "$c_npy" "$c_ours")x"
    kb=$(peak_kb "$PTPCAL" analyze -q --series phase --rate 1 --tau octave --json "$txt")
    a_kb=$(peak_kb env PYTHONPATH="$ref" $py "$PTPCAL_TOP/tests/tools/allan_ref.py" "$npy" 1 $devs octave)
    echo "  peak RSS: ptpcal $kb KiB = $(ratio "$kb" "$input_kb")x the input as doubles" \
        "($(ratio $((kb - base_kb)) "$input_kb")x above its $base_kb KiB on 3 points; target <= 3);" \
        "allantools (.npy) $a_kb KiB = $(ratio "$a_kb" "$input_kb")x"
done
