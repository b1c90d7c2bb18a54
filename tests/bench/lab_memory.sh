#!/bin/sh
# Long-run memory of the lab: resident set size of the emulated switch and of the reference
# capture tool (tcpdump, at the client) after 1 and after 10 minutes of a running lab, in
# the same run. Flat (ratio ~1.0) means constant memory: the switch's queue, its two-step
# table and its statistics are fixed-size, its per-frame log is streamed to disk.
#   LAB_BENCH_MINUTES=10 (default) sets the second sample.
set -eu
[ "$(id -u)" -eq 0 ] || { echo "lab_memory: needs root (skipped)"; exit 0; }
command -v ptp4l >/dev/null && command -v tcpdump >/dev/null || { echo "lab_memory: needs ptp4l and tcpdump (skipped)"; exit 0; }
mins=${LAB_BENCH_MINUTES:-10}
name="bm$$"
dir="$BENCH_DIR/lab-memory"
rm -rf "$dir"
"$PTPCAL" lab up -q -n "$name" -o "$dir" --client --fwd 'delay=400us,pdv=normal:20us' --rev 400us >/dev/null
# the lab goes down on exit, Ctrl-C and kill alike; the sleeps let the trap run at once
. "$PTPCAL_TOP/scripts/lib/netns.sh"
cleanup() { netns_cleanup; "$PTPCAL" lab down "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
. "$dir/lab.state"
pid_of() { for st in $LAB_PIDS; do p=${st%%:*}; grep -q "$1" "/proc/$p/cmdline" 2>/dev/null && { echo "$p"; return; }; done; }
sw=$(pid_of "upstream") td=$(pid_of tcpdump)
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
netns_sleep 60
s1=$(rss "$sw") t1=$(rss "$td")
netns_sleep $(( (mins - 1) * 60 ))
s2=$(rss "$sw") t2=$(rss "$td")
frames=$(grep -vc '^#' "$dir/switch/frames.tsv")
echo "lab memory after 1 min and $mins min ($frames frames switched):"
echo "  switch   $s1 KiB -> $s2 KiB   ratio $(awk -v a="$s2" -v b="$s1" 'BEGIN { printf "%.3f", a / b }')"
echo "  tcpdump  $t1 KiB -> $t2 KiB   ratio $(awk -v a="$t2" -v b="$t1" 'BEGIN { printf "%.3f", a / b }')"
echo "  switch / tcpdump RSS at $mins min: $(awk -v a="$s2" -v b="$t2" 'BEGIN { printf "%.2f", a / b }')"
