#!/bin/sh
# NTP SHM written by the real gpsd: gpsd (as root, in private network/IPC/PID namespaces)
# reads tests/data/gnss-fix-loss.nmea from a TCP source and writes its NMEA time to SHM unit 0
# (NTP0); `ptpcal shm read` must read each sample with the log's time as the reference and
# the same system time gpsd reported in its TOFF message for that second (two independent
# paths out of gpsd: shared memory and JSON through libgps).
# Runs alone (no 'e2e: daemons' mark): its last check looks at the host's IPC, where the
# gpsd of a gpsfake test beside it would hold the same export segment.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for namespaces"
need gpsd
need unshare
need python3
netns_trap
cd "$E2E_DIR"
ns="$NS_PREFIX-shmgps"
netns_add "$ns"
cat >inner.sh <<EOI
cd "$E2E_DIR"
python3 "$PTPCAL_TOP/tests/e2e/nmea_serve.py" "$PTPCAL_TOP/tests/data/gnss-fix-loss.nmea" 29474 0.2 >serve.out &
# until it listens (0.5 s was not enough on a loaded machine: gpsd gave up on its source)
i=0
while ! grep -q listening serve.out 2>/dev/null && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
"$PTPCAL" gnss record -o gnss.tsv --duration 14s --port 29473 2>gnss.err &
rec=\$!
/usr/sbin/gpsd -N -n -S 29473 tcp://127.0.0.1:29474 >gpsd.log 2>&1 &
sleep 1
"$PTPCAL" shm read --unit 0 --count 8 --duration 12s -o shm.tsv >shm.out 2>&1
echo "shm exit \$?" >shm.rc
wait \$rec
ipcs -m >ipcs.out
EOI
netns_bg "$ns" sandbox.log unshare --ipc --pid --fork --kill-child sh "$E2E_DIR/inner.sh"
wait "$NETNS_LAST_PID" || true
grep -q "shm exit 0" shm.rc || die "shm read: $(cat shm.rc shm.out)"
grep -q '^0x4e545030 ' ipcs.out || die "gpsd made no NTP0 segment: $(cat ipcs.out)"
python3 "$PTPCAL_TOP/tests/e2e/gnss_check.py" shm gnss.tsv shm.tsv
# The private IPC namespace is gone: nothing of gpsd's left on the host.
if ipcs -m | grep -q '^0x47505344 '; then die "gpsd's export segment leaked to the host"; fi
