# Shared by the benchmarks (sourced).
# best_us N CMD...: the fastest of N runs of CMD, in microseconds (wall clock; the machine is
# shared, so the minimum is the least disturbed run).
best_us() {
    n=$1
    shift
    b=""
    for _ in $(seq 1 "$n"); do
        s=$(date +%s%N)
        "$@" >/dev/null 2>&1
        e=$(date +%s%N)
        t=$(( (e - s) / 1000 ))
        if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
    done
    echo "$b"
}
# peak_kb CMD...: maximum resident set size of CMD in KiB (GNU time).
peak_kb() {
    /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -n 1
}
# cpu_s CMD...: user + system CPU seconds of one run of CMD (GNU time).
cpu_s() {
    /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ printf "%.2f", $1 + $2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# once_us CMD...: one run of CMD, in microseconds (wall clock). For interleaving contenders:
# run them in turn, several rounds, and keep each one's minimum (min_us), so that a busy
# spell on a shared machine hits all of them alike.
once_us() {
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
}
min_us() { if [ -z "$1" ] || [ "$2" -lt "$1" ]; then echo "$2"; else echo "$1"; fi; }
# phase_series N FILE [NPY]: an N-point phase series (white PM + random-walk phase + a
# little random-walk frequency, seeded by N) as text ("%.17g", as numpy writes it) in FILE,
# and the same array as .npy in NPY; made once, kept in $BENCH_DIR.
phase_series() {
    if [ ! -f "$2" ] || { [ -n "${3:-}" ] && [ ! -f "$3" ]; }; then
        nice /usr/bin/python3 -c '
import numpy as np, sys
n = int(sys.argv[1])
rng = np.random.default_rng(n)
x = (rng.normal(0, 2e-9, n) + np.cumsum(rng.normal(0, 3e-10, n))
     + np.cumsum(np.cumsum(rng.normal(0, 1e-14, n))))
np.savetxt(sys.argv[2], x, fmt="%.17g")
if len(sys.argv) > 3:
    np.save(sys.argv[3], x)
' "$@"
    fi
}
# allantools_or_skip: sets py (Debian's python3) and ref (the directory holding the allantools
# snapshot, ../shared/bench), or prints SKIPPED and ends the benchmark when they cannot run.
allantools_or_skip() {
    py=/usr/bin/python3
    ref="$PTPCAL_TOP/../shared/bench"
    [ -d "$ref/allantools" ] || ref=/work/shared/bench
    if ! PYTHONPATH="$ref" $py -c 'import numpy, scipy, allantools' 2>/dev/null; then
        echo "SKIPPED: allantools (../shared/bench) or python3-numpy/scipy not importable"
        exit 0
    fi
}
