#!/bin/sh
# Live capture cost and memory, against tcpdump capturing the same traffic in the same run:
# PTP frames (a long continuous capture built from the bundled real one) are injected at a
# fixed rate into a veth in a lab namespace; `ptpcal capture -i` (decode, pair, pcapng and
# exchanges written as it goes) and `tcpdump -w` listen on the other end.
# Figures: CPU per 1000 packets of each (ratio), and each one's RSS after 1 minute and at
# the end, 10 minutes by default (flat = constant memory; runs under 2 minutes sample at
# 10 s instead). tcpdump buffers (TPACKET_V3 blocks, woken about once a
# second); ptpcal runs in immediate mode (woken per frame), so the like-for-like reference
# is tcpdump --immediate-mode, run alongside too.
#   CAPTURE_BENCH_SECONDS (default 600), CAPTURE_BENCH_RATE frames/s (default 1000).
set -eu
. "$PTPCAL_TOP/tests/bench/_lib.sh"
. "$PTPCAL_TOP/scripts/lib/netns.sh"
[ "$(id -u)" -eq 0 ] || { echo "capture_live: needs root (skipped)"; exit 0; }
command -v tcpdump >/dev/null || { echo "capture_live: needs tcpdump (skipped)"; exit 0; }
secs=${CAPTURE_BENCH_SECONDS:-600}
rate=${CAPTURE_BENCH_RATE:-1000}
first=10
[ "$secs" -ge 120 ] && first=60
tools="$PTPCAL_TOP/build/tests/tools"
dir="$BENCH_DIR/capture-live"
rm -rf "$dir"
mkdir -p "$dir"
chmod 755 "$dir"
big="$dir/inject.pcap"
"$tools/pcaprepeat" "$PTPCAL_TOP/datasets/direct-l2-30s.pcap" "$big" $(( rate * (secs + 5) ))
netns_trap
a="cb$$-a" b="cb$$-b"
netns_add "$a"
netns_add "$b"
netns_veth "$a" veth0 "$b" veth0
netns_bg "$b" "$dir/ptpcal.log" "$PTPCAL" capture -q -i veth0 -o "$dir/out" --tstamp host --rotate 64M
pc=$NETNS_LAST_PID
netns_bg "$b" "$dir/tcpdump.log" tcpdump -i veth0 -w "$dir/tcpdump.pcap" -n \
    "ether proto 0x88f7 or udp port 319 or udp port 320"
td=$NETNS_LAST_PID
netns_bg "$b" "$dir/tcpdump-imm.log" tcpdump -i veth0 --immediate-mode -w "$dir/tcpdump-imm.pcap" -n \
    "ether proto 0x88f7 or udp port 319 or udp port 320"
ti=$NETNS_LAST_PID
sleep 1
netns_bg "$a" "$dir/inject.log" "$tools/pcapinject" veth0 "$big" "$rate"
inj=$NETNS_LAST_PID
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# utime + stime in clock ticks (proc(5) fields 14, 15)
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
netns_sleep $first
p1=$(rss "$pc") t1=$(rss "$td") i1=$(rss "$ti")
netns_sleep $(( secs - first ))
p2=$(rss "$pc") t2=$(rss "$td") i2=$(rss "$ti")
pcpu=$(cpu "$pc") tcpu=$(cpu "$td") icpu=$(cpu "$ti")
kill -TERM "$inj" 2>/dev/null || true
wait "$inj" || true
kill -INT "$pc"
wait "$pc" || true
kill -TERM "$td" "$ti"
wait "$td" || true
wait "$ti" || true
netns_cleanup
hz=$(getconf CLK_TCK)
pk=$(sed -n 's/^# packets: //p' "$dir/out/exchanges.tsv")
ex=$(grep -c '^[0-9]' "$dir/out/exchanges.tsv")
drop=$(sed -n 's/^# kernel_dropped: //p' "$dir/out/exchanges.tsv")
echo "live capture, $secs s at $rate frames/s: ptpcal saw $pk packets ($ex exchanges, $drop dropped by the kernel)"
per1k() { awk -v c="$1" -v hz="$hz" -v n="$pk" 'BEGIN { printf "%.3f ms", c / hz * 1e6 / n }'; }
rat() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) printf ">= %.0f (reference < 1 clock tick)", a; else printf "%.2f", a / b }'; }
echo "  CPU per 1000 packets: ptpcal $(per1k "$pcpu"), tcpdump --immediate-mode $(per1k "$icpu"), tcpdump (buffered) $(per1k "$tcpu")"
echo "  ratio ptpcal / tcpdump --immediate-mode: $(rat "$pcpu" "$icpu");  ptpcal / buffered tcpdump: $(rat "$pcpu" "$tcpu")"
echo "  RSS after $first s -> $secs s: ptpcal $p1 -> $p2 KiB (ratio $(ratio "$p2" "$p1")), tcpdump --immediate-mode $i1 -> $i2 KiB (ratio $(ratio "$i2" "$i1")), tcpdump $t1 -> $t2 KiB (ratio $(ratio "$t2" "$t1"))"
