#!/bin/sh
# Live capture in the lab: real ptp4l (free_running 1, software timestamps) in two network
# namespaces joined by veth, and `ptpcal capture -i veth0` in the client's namespace for
# ~10 s, stopped with SIGINT. Checks, against independent references:
#   - ptp4l's own per-sample numbers: its master offset + path delay is the Sync's t2 - t1
#     that ptpcal took from the live capture (ptp_compare.py ptp4l);
#   - tshark's decoding of the rotated pcapng files merged back together: the exchanges
#     recomputed from tshark's fields equal the live ones (ptp_compare.py tshark-exchanges);
#   - tcpdump, capturing the same traffic alongside, decoded offline: the same exchanges;
#   - the files are complete: every pcapng reads to the end, and together they hold as many
#     frames as the live run counted; the datasets end with their trailing metadata;
#   - the metadata says host (software) timestamps, as asked;
#   - it ran as nobody after opening (/proc/PID/status while running, and its metadata).
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for network namespaces"
need ptp4l
need tshark
need mergecap
need tcpdump
netns_trap
cmp="$PTPCAL_TOP/tests/e2e/ptp_compare.py"
cd "$E2E_DIR"
chmod 755 "$E2E_DIR" # tcpdump drops to its own user before writing
gm="$NS_PREFIX-gm" cl="$NS_PREFIX-cl"
netns_add "$gm"
netns_add "$cl"
netns_veth "$gm" veth0 "$cl" veth0
PTP4L_UDS="$E2E_DIR/gm.uds" ptp4l_conf gm L2 >gm.conf
# summary_interval <= logSyncInterval: the free-running client prints every sample
# (clock.c clock_no_adjust, v3.1.1 - v4.4), as in capture_lab_ptp4l.sh.
PTP4L_UDS="$E2E_DIR/cl.uds" ptp4l_conf client L2 "summary_interval -3" "freq_est_interval 0" >cl.conf

# tcpdump alongside, as the independent recorder of the same traffic.
# --immediate-mode: without it tcpdump reads in TPACKET_V3 blocks retired once a second and
# loses the last block's frames when stopped.
netns_bg "$cl" tcpdump.log tcpdump -i veth0 -w "$E2E_DIR/tcpdump.pcap" -U --immediate-mode \
    --time-stamp-precision=nano -n "ether proto 0x88f7 or udp port 319 or udp port 320"
td=$NETNS_LAST_PID
# Host timestamps asked for explicitly (veth has no hardware clock); rotation every 8 KiB
# gives several files from ~10 s of 8/s Sync + Follow_Up + Delay_Req/Resp.
netns_bg "$cl" capture.log "$PTPCAL" capture -i veth0 -o "$E2E_DIR/live" --tstamp host \
    --rotate 8k --messages
cap=$NETNS_LAST_PID
sleep 1
kill -0 "$cap" 2>/dev/null || { cat capture.log; die "ptpcal capture exited early"; }
[ "$(cat /proc/$cap/comm)" = ptpcal ] || die "pid $cap is $(cat /proc/$cap/comm), not ptpcal"
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$cap/status)
gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' /proc/$cap/status)
groups=$(awk '/^Groups:/ {print $2}' /proc/$cap/status)
capeff=$(awk '/^CapEff:/ {print $2}' /proc/$cap/status)
capprm=$(awk '/^CapPrm:/ {print $2}' /proc/$cap/status)
nob=$(id -u nobody)
nobg=$(id -g nobody)
[ "$uids" = "$nob $nob $nob $nob" ] || die "capture runs with uids '$uids', not nobody's $nob"
[ "$gids" = "$nobg $nobg $nobg $nobg" ] || die "capture runs with gids '$gids'"
[ -z "$groups" ] || die "capture kept supplementary groups: $groups"
[ "$capeff" = 0000000000000000 ] && [ "$capprm" = 0000000000000000 ] ||
    die "capture kept capabilities: CapEff $capeff CapPrm $capprm"
echo "capture pid $cap runs as uid $nob gid $nobg, no groups, no capabilities"

netns_bg "$gm" gm.log ptp4l -m -f gm.conf -i veth0
g=$NETNS_LAST_PID
netns_bg "$cl" cl.log ptp4l -m -f cl.conf -i veth0
c=$NETNS_LAST_PID
sleep 10
# ptp4l first, so that every sample it printed was captured; then SIGINT the capture.
netns_stop "$c"
netns_stop "$g"
sleep 1
kill -INT "$cap"
set +e
wait "$cap"
rc=$?
set -e
netns_stop "$td"
cat capture.log
[ "$rc" = 0 ] || die "ptpcal capture exited $rc after SIGINT"
netns_cleanup
NETNS_CLEANED=0

ex=live/exchanges.tsv
grep -q "master offset" cl.log || die "ptp4l client printed no samples"
grep -q '^# timestamp_source: host$' "$ex" || die "metadata does not say host timestamps"
grep -q '^# timestamp_type: host (software' "$ex" || die "timestamp_type is not host/software"
grep -q '^# timescale: UTC$' "$ex" || die "host timestamps are CLOCK_REALTIME: timescale should be UTC"
grep -q '^# run_as: nobody (uid' "$ex" || die "metadata does not say it ran as nobody"
grep -q '^# stop_reason: signal$' "$ex" || die "no trailing metadata: the dataset is incomplete"
grep -q '^# kernel_dropped: 0$' "$ex" || echo "note: the kernel dropped frames: $(grep kernel_dropped "$ex")"
[ "$(stat -c %U live)" = nobody ] || die "the output directory is not nobody's"

nfiles=$(ls live/capture-*.pcapng | wc -l)
[ "$nfiles" -ge 2 ] || die "rotation at 8 KiB made only $nfiles file(s)"
total=0
for f in live/capture-*.pcapng; do
    n=$(tshark -r "$f" 2>tshark-err.txt | wc -l)
    # (tshark's "Running as user root" notice is not about the file)
    if grep -v 'Running as user' tshark-err.txt | grep -q .; then
        die "$f: tshark: $(cat tshark-err.txt)"
    fi
    total=$((total + n))
done
packets=$(sed -n 's/^# packets: //p' "$ex")
[ "$total" = "$packets" ] || die "pcapng files hold $total frames, the live run counted $packets"
echo "$nfiles pcapng files, $total frames, all readable to the end"

mergecap -F pcapng -a -w all.pcapng live/capture-*.pcapng
python3 "$cmp" tshark-exchanges all.pcapng "$ex"
python3 "$cmp" ptp4l cl.log live/messages.tsv "$ex"
# The same exchanges as an offline decode of the same traffic.
"$PTPCAL" capture -q -r all.pcapng -o offline.tsv
grep -v '^#' offline.tsv | cut -f2- >offline.rows
grep -v '^#' "$ex" | cut -f2- >live.rows
cmp -s offline.rows live.rows || die "live exchanges differ from an offline decode of the same frames"
# And as tcpdump + the offline decode of the same traffic (the issue's acceptance test).
"$PTPCAL" capture -q -r tcpdump.pcap -o tcpdump-ex.tsv
grep -v '^#' tcpdump-ex.tsv | cut -f2- >tcpdump.rows
cmp -s tcpdump.rows live.rows || { diff tcpdump.rows live.rows | head; die "live exchanges differ from tcpdump's capture decoded offline"; }
n=$(grep -c '^[0-9]' "$ex")
[ "$n" -ge 40 ] || die "only $n exchanges in ~10 s at 8/s"
echo "live: $n exchanges, equal to tshark's, to the offline decode and to tcpdump's, and to ptp4l's samples"
