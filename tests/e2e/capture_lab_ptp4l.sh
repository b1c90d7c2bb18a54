#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# Real ptp4l (installed version, free_running 1, software timestamps) in two network
# namespaces joined by veth, L2 and UDPv4, recorded with tcpdump at the client. ptpcal's
# decode must agree with tshark on every message, its exchanges with a pairing recomputed
# from tshark's fields, and its t2 - t1 with ptp4l's own per-sample offset + path delay.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for network namespaces"
need ptp4l
need tcpdump
need tshark
netns_trap
cmp="$PTPCAL_TOP/tests/e2e/ptp_compare.py"
cd "$E2E_DIR"
chmod 755 "$E2E_DIR" # tcpdump drops to its own user before writing
for transport in L2 UDPv4; do
    gm="$NS_PREFIX-gm" cl="$NS_PREFIX-cl"
    netns_add "$gm"
    netns_add "$cl"
    netns_veth "$gm" veth0 "$cl" veth0 169.254.77.1/16 169.254.77.2/16
    ptp4l_conf gm "$transport" >gm-$transport.conf
    # summary_interval <= logSyncInterval makes a free-running client print per sample;
    # freq_est_interval 0 makes that once a second (clock.c clock_no_adjust, v3.1.1 - v4.4).
    ptp4l_conf client "$transport" "summary_interval -3" "freq_est_interval 0" >cl-$transport.conf
    pcap="$transport.pcap"
    netns_bg "$cl" tcpdump-$transport.log tcpdump -i veth0 -w "$E2E_DIR/$pcap" -U \
        --time-stamp-precision=nano -n "ether proto 0x88f7 or udp port 319 or udp port 320"
    td=$NETNS_LAST_PID
    sleep 1
    netns_bg "$gm" gm-$transport.log ptp4l -m -f gm-$transport.conf -i veth0
    g=$NETNS_LAST_PID
    netns_bg "$cl" cl-$transport.log ptp4l -m -f cl-$transport.conf -i veth0
    c=$NETNS_LAST_PID
    sleep 16
    netns_stop "$c"
    netns_stop "$g"
    sleep 0.3
    netns_stop "$td"
    netns_cleanup
    NETNS_CLEANED=0
    grep -q "master offset" cl-$transport.log || die "ptp4l client printed no samples ($transport)"
    "$PTPCAL" capture -r "$pcap" -o ex-$transport.tsv --messages msg-$transport.tsv
    python3 "$cmp" tshark-messages "$pcap" msg-$transport.tsv
    python3 "$cmp" tshark-exchanges "$pcap" ex-$transport.tsv
    python3 "$cmp" ptp4l cl-$transport.log msg-$transport.tsv ex-$transport.tsv
    n=$(grep -c '^[0-9]' ex-$transport.tsv)
    [ "$n" -ge 80 ] || die "only $n exchanges in 16 s at 8/s ($transport)"
    grep -q "^# capture_side: slave" ex-$transport.tsv || die "no capture side in metadata"
    echo "$transport: $n exchanges"
done
