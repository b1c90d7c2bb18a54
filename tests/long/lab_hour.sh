#!/bin/sh
# An hour of the lab (make long-check): +200 us of asymmetry and a symmetric client, real
# ptp4l, the switch's RSS sampled every 5 minutes (must stay within 10 % of the first
# sample: constant memory), and the asymmetry recovered against the switch's truth.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
PTPCAL=${PTPCAL:-$top/build/ptpcal}
[ "$(id -u)" -eq 0 ] || { echo "lab_hour: needs root"; exit 77; }
out=${LONG_DIR:-$top/build/long}/lab-hour
rm -rf "$out"
mkdir -p "$(dirname "$out")"
secs=${LAB_HOUR_SECONDS:-3600}
"$PTPCAL" lab run -q -n "lh$$" -o "$out" -d "${secs}s" \
    --client --fwd 400us --rev 400us --client --fwd 600us --rev 400us &
run=$!
rss_log="$out.rss"
: >"$rss_log"
sleep 30
while kill -0 $run 2>/dev/null; do
    # the switch of this run: the process in our lab's switch namespace
    for p in $(ip netns pids "lh$$-sw" 2>/dev/null); do
        # cmdline is NUL-separated: grep does not match across the NULs
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "lab switch" &&
            awk -v t="$(date +%s)" '/^VmRSS/ { print t, $2 }' "/proc/$p/status" >>"$rss_log"
    done
    sleep 300
done
wait $run
[ "$(wc -l <"$rss_log")" -ge 2 ] || { echo "FAILED: fewer than two RSS samples of the switch"; exit 1; }
first=$(head -n 1 "$rss_log" | cut -d' ' -f2) last=$(tail -n 1 "$rss_log" | cut -d' ' -f2)
echo "switch RSS: first $first KiB, last $last KiB ($(wc -l <"$rss_log") samples)"
awk -v a="$last" -v b="$first" 'BEGIN { exit !(a <= 1.1 * b) }' || { echo "FAILED: switch memory grew"; exit 1; }
"$PTPCAL" lab replay "$out" --client cl2 --json >"$out.json" || true
python3 - "$out.json" "$out" <<'PY'
import json, subprocess, sys
r = json.load(open(sys.argv[1]))["clients"][0]
f = r["floor"]["mean_ns"]
print(f"cl2 over the hour: realised {r['truth_asymmetry_ns']:.0f} ns, offset {r['offset']['mean_ns']:.0f} ns, floor {f:.0f} ns")
sys.exit(0 if abs(r["truth_asymmetry_ns"] - 200000) < 50000 else 1)
PY
