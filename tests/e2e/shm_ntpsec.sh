#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# NTP SHM against the real tools: `ptpcal shm write` feeds a segment; the real ntpd (ntpsec)
# takes it as a refclock and ntpq -p shows the offset we wrote; gpsd's ntpshmmon reads the
# same samples; `ptpcal shm read` agrees with both. ntpd runs in a namespace of its own,
# from a private config with the clock discipline disabled AND without CAP_SYS_TIME: ntpsec
# 1.2.2 calls ntp_adjtime(MOD_FREQUENCY) at start-up even with "disable ntp" and "disable
# kernel" (ntp_loopfilter.c loop_config LOOP_DRIFTINIT -> start_kern_loop, set_freq), so only
# the missing capability guarantees that it cannot touch the host clock.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for a network namespace"
need ntpd
need ntpq
need setpriv
netns_trap
cd "$E2E_DIR"

# A unit far from the ones gpsd and ntpd use (0..7), and free.
unit=""
for u in $(seq $((200 + $$ % 20)) 219) $(seq 200 219); do
    key=$(printf '0x%08x' $((0x4e545030 + u)))
    if ! ipcs -m | grep -qi "^$key "; then unit=$u; break; fi
done
[ -n "$unit" ] || die "no free SHM unit in 200..219 (its band; verify_ntpsec has 220..239)"
echo "unit $unit (key $key)"

ns="$NS_PREFIX-ntp"
netns_add "$ns"
cat >ntp.conf <<EOF
# Private: no servers, no clock discipline, files only in $E2E_DIR.
disable ntp
disable kernel
driftfile $E2E_DIR/ntp.drift
statsdir $E2E_DIR/
statistics peerstats loopstats
filegen peerstats file peerstats type none enable
filegen loopstats file loopstats type none enable
logfile $E2E_DIR/ntpd.log
# ntpsec 1.2.2's built-in default restriction is "noquery limited" (ntp.h RES_Default):
# without these ntpq gets no answer.
restrict 127.0.0.1
restrict ::1
refclock shm unit $unit refid PTPC minpoll 0 maxpoll 0
EOF

# Our writer: ntpd should see the reference 5 ms ahead of the system clock.
"$PTPCAL" shm write --unit "$unit" --offset 5ms --interval 250ms --duration 50s \
    >writer.log 2>&1 &
writer=$!
NETNS_PIDS="$NETNS_PIDS $writer"
wait_for_line writer.log created || die "writer did not create unit $unit: $(cat writer.log)"

netns_bg "$ns" ntpd.out setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
    ntpd -n -c "$E2E_DIR/ntp.conf"
ntpd=$NETNS_LAST_PID
sleep 1
kill -0 "$ntpd" || die "ntpd did not start: $(cat ntpd.out ntpd.log 2>/dev/null)"
# CAP_SYS_TIME is bit 25: absent from the bounding and effective sets of the ntpd process.
for set in CapBnd CapEff; do
    v=$(awk -v s="$set:" '$1 == s { print $2 }' /proc/"$ntpd"/status)
    [ $(( 0x$v >> 25 & 1 )) -eq 0 ] || die "ntpd has CAP_SYS_TIME in $set ($v)"
done
grep -q 'Command line: .*ntpd -n -c' ntpd.log || die "ntpd log: $(cat ntpd.log)"

# gpsd's monitor and ours read the segment without consuming it.
ntpshm_ok=0
if command -v ntpshmmon >/dev/null 2>&1; then
    ntpshmmon -o -n 6 -t 10 >ntpshmmon.out 2>&1 || true
    ntpshm_ok=1
fi
"$PTPCAL" shm read --unit "$unit" --count 4 --duration 10s -o shm.tsv --json >shm.json
n=$(grep -c '^[0-9]' shm.tsv)
[ "$n" -eq 4 ] || die "ptpcal shm read got $n samples"
awk -F'\t' '/^[0-9]/ && $6 != -5000000 { bad++ } END { exit bad > 0 }' shm.tsv ||
    die "offsets in shm.tsv are not -5000000 ns: $(cat shm.tsv)"
grep -q '"offset_ns": -5000000' shm.json || die "JSON lacks the offset"
if [ $ntpshm_ok = 1 ]; then
    # ntpshmmon -o: "sample NAME OFFSET CLOCK REAL L PRC", offset = system - reference in s.
    # The offset is matched anywhere on a line, not as field 3: ntpshmmon names a segment
    # "NTP" + the key's low byte as a character (0x30 + unit), which for units 217..221 is a
    # tab, newline or other blank and splits the line (seen: unit 218 -> "NTP\n").
    m=$(grep -c -- ' -0\.005000000 ' ntpshmmon.out || true)
    [ "$m" -ge 3 ] || die "ntpshmmon did not see our -5 ms samples: $(cat ntpshmmon.out)"
    echo "ntpshmmon: $m samples at -0.005000000 s"
fi

# ntpq: the SHM peer with +5.000 ms (ntpd's sign: reference - system).
ok=0
for _ in $(seq 1 25); do
    ip netns exec "$ns" ntpq -n -c peers 127.0.0.1 >ntpq.out 2>&1 || true
    if awk -v u="SHM($unit)" '$1 ~ /SHM\(/ && index($1, u) && $(NF-1) + 0 > 4.99 && $(NF-1) + 0 < 5.01 { f = 1 }
                              END { exit !f }' ntpq.out; then
        ok=1
        break
    fi
    sleep 1
done
cat ntpq.out
[ $ok = 1 ] || die "ntpq does not show SHM($unit) at +5 ms"
ip netns exec "$ns" ntpq -n -p 127.0.0.1 >ntpq-p.out 2>&1 || true
# -n may print the refclock by name or by its classic address 127.127.28.UNIT (type 28 = SHM).
grep -q -e "SHM($unit)" -e "127\.127\.28\.$unit " ntpq-p.out || die "ntpq -p: $(cat ntpq-p.out)"
# ntpd's own record of the samples: peerstats offset column (5th) in seconds.
awk -v u="SHM($unit)" '$3 == u && $5 == "0.005000000" { f = 1 } END { exit !f }' peerstats ||
    die "peerstats has no 0.005000000 s sample: $(head -3 peerstats)"

# ptpcal import reads ntpd's own records with ptpcal's sign: local - reference = -5 ms.
"$PTPCAL" import ntpsec-peerstats peerstats -o peerstats.tsv
"$PTPCAL" import ntpsec-loopstats loopstats -o loopstats.tsv
for f in peerstats.tsv loopstats.tsv; do
    awk -F'\t' '/^[0-9]/ && $2 == "-5000000.000" { n++ } END { exit !(n >= 1) }' "$f" ||
        die "$f has no -5 ms row: $(cat "$f")"
done

netns_stop "$ntpd"
netns_stop "$writer"
netns_cleanup
# The writer created the segment, so it removed it (gone once ntpd detached).
if ipcs -m | grep -qi "^$key "; then
    ipcrm -M "$key" 2>/dev/null || true
    die "segment $key left behind"
fi
echo "ntpd saw SHM($unit) at +5.000 ms; ptpcal read -5000000 ns; segment removed"
