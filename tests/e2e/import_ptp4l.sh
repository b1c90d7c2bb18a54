#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal import on logs the real ptp4l writes now (installed version, free_running 1,
# software timestamps, two namespaces). A free-running client feeds its statistics once per
# frequency estimate (clock.c clock_no_adjust: every 2^(freq_est_interval - logSyncInterval)
# Syncs) and prints a summary after 2^(summary_interval - logSyncInterval) of them, or each
# one as a "master offset" line when that is 1. With freq_est_interval 0 and Syncs at 8/s:
# summary_interval -2 gives "rms ... max ... freq ... delay ..." every 2 s, -3 a sample a second. Every such line must
# become a row (counted independently with grep), with the port state the log announced.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for network namespaces"
need ptp4l
netns_trap
cd "$E2E_DIR"
gm="$NS_PREFIX-igm" cl="$NS_PREFIX-icl"
netns_add "$gm"
netns_add "$cl"
netns_veth "$gm" veth0 "$cl" veth0
ptp4l_conf gm L2 >gm.conf
ptp4l_conf client L2 "summary_interval -2" "freq_est_interval 0" >sum.conf
ptp4l_conf client L2 "summary_interval -3" "freq_est_interval 0" >samp.conf
netns_bg "$gm" gm.log ptp4l -m -f gm.conf -i veth0
g=$NETNS_LAST_PID
netns_bg "$cl" sum.log ptp4l -m -f sum.conf -i veth0
c=$NETNS_LAST_PID
sleep 10
netns_stop "$c"
netns_bg "$cl" samp.log ptp4l -m -f samp.conf -i veth0
c=$NETNS_LAST_PID
sleep 6
netns_stop "$c"
netns_stop "$g"
netns_cleanup
nsum=$(grep -c '^ptp4l\[[0-9.]*\]: rms ' sum.log || true)
nsamp=$(grep -c '^ptp4l\[[0-9.]*\]: master offset ' samp.log || true)
[ "$nsum" -ge 3 ] || die "ptp4l printed $nsum summaries: $(tail -5 sum.log)"
[ "$nsamp" -ge 3 ] || die "ptp4l printed $nsamp samples: $(tail -5 samp.log)"
"$PTPCAL" import ptp4l sum.log -o sum.tsv --json >sum.json
"$PTPCAL" import ptp4l samp.log -o samp.tsv --json >samp.json
grep -q "\"summaries\": $nsum," sum.json || die "summaries: want $nsum, got $(cat sum.json)"
grep -q "\"samples\": $nsamp," samp.json || die "samples: want $nsamp, got $(cat samp.json)"
# Summary rows: kind summary, rms/max filled, the port state of the log (UNCALIBRATED:
# a free-running client never reaches SLAVE).
awk -F'\t' '/^[0-9]/ && ($2 != "summary" || $9 == "nan" || $10 == "nan" || $7 != "UNCALIBRATED") { bad++ }
            END { exit bad > 0 }' sum.tsv || die "summary rows: $(grep -v '^#' sum.tsv | head -3)"
awk -F'\t' '/^[0-9]/ && ($2 != "sample" || $4 != "0" || $6 == "nan") { bad++ } END { exit bad > 0 }' samp.tsv ||
    die "sample rows: $(grep -v '^#' samp.tsv | head -3)"
echo "ptp4l $(ptp4l -v 2>&1): $nsum summaries, $nsamp samples imported"
