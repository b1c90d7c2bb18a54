#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# `ptpcal gnss record` against the real gpsd, run by gpsfake on a private port and fed
# tests/data/gnss-fix-loss.nmea (3D fix 10 s, no fix 8 s, fix 6 s, one epoch per second).
# The recorder starts first (gpsd not there yet: it must retry), sees the fix, its loss at
# the TPV of 12:00:10 and its return at 12:00:18, ~8 s apart in host time, satellites 8/0,
# TOFF offsets; then gpsd is stopped and the recorder must report the disconnect.
# Everything runs in a network namespace and private IPC and PID namespaces: gpsd creates
# NTP SHM segments 0..7 when run as root, and they must not outlive the test.
# gpsfake 3.22 may fail to hand gpsd its device (a race, see gpsfake_add.py): it is added
# again once gpsd's control socket accepts.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for namespaces"
need gpsfake
need gpsd
need unshare
need python3
netns_trap
cd "$E2E_DIR"
ns="$NS_PREFIX-gps"
netns_add "$ns"
port=29$(( $$ % 400 + 100 )) # 29100..29499: its own band (watchdog_gpsfake may run beside it)
cat >inner.sh <<EOI
cd "$E2E_DIR"
"$PTPCAL" gnss record -o gnss.tsv --duration 34s --port $port --json >gnss.json 2>gnss.err &
rec=\$!
sleep 1
TMPDIR="$E2E_DIR" gpsfake -1 -q -c 0.2 -P $port "$PTPCAL_TOP/tests/data/gnss-fix-loss.nmea" \
    >gpsfake.out 2>&1 &
gf=\$!
TMPDIR="$E2E_DIR" python3 "$PTPCAL_TOP/tests/e2e/gpsfake_add.py" \$gf >gpsfake_add.out 2>&1
sleep 27
# gpsd is gpsfake's child: stop it by its PID.
for p in \$(pgrep -P \$gf); do kill \$p; done
wait \$rec
echo "record exit \$?" >rec.rc
EOI
netns_bg "$ns" sandbox.log unshare --ipc --pid --mount-proc --fork --kill-child sh "$E2E_DIR/inner.sh"
sandbox=$NETNS_LAST_PID
wait "$sandbox" || true
cat gnss.err
grep -q "record exit 0" rec.rc || die "gnss record: $(cat rec.rc gnss.err)"
python3 "$PTPCAL_TOP/tests/e2e/gnss_check.py" gpsfake gnss.tsv
grep -q '"schema": "ptpcal-gnss/1"' gnss.json || die "no JSON summary"
grep -q 'retrying' gnss.err || die "the recorder did not have to retry before gpsd came up"
# The health signal at the end: connection lost, no fix.
grep -q '"fix_ok": false' gnss.json || die "fix still ok after gpsd went away"
