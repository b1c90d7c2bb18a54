#!/bin/sh
# ptpcal sync --lab end to end: real ptp4l in the lab through a 300/100 us path (IEEE 1588:
# the client's offset is biased by (d_ms - d_sm)/2 = +100 us, less the capture tap's ~2 us,
# docs/errata.md 9), calibrated against the lab's truth, measured again with the emitted
# delayAsymmetry: the residual must be within a few us of zero. The client chain runs too:
# phc2sys reported as SKIP (no PHC), the client's PTP offset fed into an NTP SHM segment, a
# real ntpd (ntpsec, no CAP_SYS_TIME, discipline disabled) in the client's namespace taking
# it as its system peer: its refclock offset (reference - system) must go from about
# -100 us to about 0; verify runs at the end with its PASS/FAIL/SKIP lines. At the
# grandmaster, gpsd fed by gpsfake (tests/data/gnss-fix-loss.nmea: fix, then 8 s without)
# with ptpcal watchdog on it: it must log the loss and announce clockClass 7 (holdover).
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need tcpdump
need python3
need ntpd
need ntpq
need setpriv
need gpsfake
need gpsd
need unshare
netns_require_root || skip "needs root for network namespaces"
cd "$E2E_DIR"
expect_exit 2 "$PTPCAL" sync
grep -q -- '--lab' "$ERR" || die "no hint about --lab"
expect_exit 0 "$PTPCAL" sync --help
sync_run() { # DIR
    cd "$1"
    "$PTPCAL" sync --lab -d 8s --fwd 300us --rev 100us -o run --json >sync.json 2>progress.txt ||
        die "sync failed: $(cat progress.txt sync.json)"
    : >synced
    cat progress.txt
    "$PTPCAL" lab replay --json run/before >before.json || [ $? = 1 ] || die "replay of run/before failed"
    "$PTPCAL" lab replay --json run/after >after.json || [ $? = 1 ] || die "replay of run/after failed"
    python3 "$PTPCAL_TOP/tests/e2e/sync_lab_check.py" ptp4l sync.json before.json after.json
}
# The stages and the GNSS scenario hold whether or not the switch kept time: checked on the
# last run after lab_check, so that a failure here fails the test and is never counted as a
# lab that could not keep time (it was, once: the watchdog stopped before holdover).
sync_stages() { # DIR of a run whose sync command completed
    cd "$1"
    python3 - <<'PY'
import json
d = json.load(open("sync.json"))
assert d["stages"]["ntpsec"] == "ran", d["stages"]
assert d["stages"]["phc2sys"].startswith("SKIP: no PHC"), d["stages"]
assert d["stages"]["gnss"] == "ran", d["stages"]
assert d["stages"]["watchdog_events"] >= 3, d["stages"]
PY
    grep -q 'sync 4/4' progress.txt || die "no progress lines"
    grep -q 'phc2sys: SKIP: no PHC' progress.txt || die "no phc2sys SKIP line"
    grep -q 'ntpsec: ntpd (PID [0-9]*, no CAP_SYS_TIME' progress.txt || die "no ntpd stage"
    grep -q 'ntpq -pn after [0-9]* s: system peer SHM(' progress.txt || die "ntpd never took the SHM refclock"
    grep -q '^PASS ntpsec-peer' progress.txt || die "verify: ntpsec-peer did not pass"
    grep -q '^PASS shm ' progress.txt || die "verify: shm did not pass"
    grep -q '^PASS management' progress.txt || die "verify: management did not pass"
    grep -q '^SKIP phc-tai' progress.txt || die "verify: no phc-tai SKIP"
    grep -q 'gnss: gpsd fed by gpsfake' progress.txt || die "no GNSS stage"
    grep -q 'LOSING *no fix' run/after/gm/watchdog.log || die "the watchdog did not see the fix loss: $(cat run/after/gm/watchdog.log)"
    grep -q 'SET *clockClass 7' run/after/gm/watchdog.log || die "no holdover clockClass 7: $(cat run/after/gm/watchdog.log)"
    grep -q 'disable ntp' run/after/cl1/ntp.conf || die "ntpd's private config lacks 'disable ntp'"
    grep -q '^delayAsymmetry ' run/after/*/ptp4l.conf 2>/dev/null || grep -rq 'delayAsymmetry' run/after || die "the after run has no delayAsymmetry"
}

lab_check sync sync_run
if [ -e "$LAB_LAST_DIR/synced" ]; then
    sync_stages "$LAB_LAST_DIR"
fi
cd "$E2E_DIR"
# an earlier run's directory is never overwritten
expect_exit 2 "$PTPCAL" sync --lab -o "$E2E_DIR/sync.try1/run"
lab_done
