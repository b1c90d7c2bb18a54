#!/bin/sh
# ptpcal sync --lab --layer refclock: the correction goes into ntpsec's SHM refclock (time1)
# instead of ptp4l. The client's PTP offset stays at about +100 us (300/100 us path), while
# the real ntpd's offset of the refclock (reference - system, ntpq -pn) goes from about
# -100 us without the fudge to about 0 with `time1` = the calibrated bias.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need tcpdump
need python3
need ntpd
need ntpq
need setpriv
netns_require_root || skip "needs root for network namespaces"
cd "$E2E_DIR"
"$PTPCAL" sync --lab -L refclock --no-gnss -d 8s --fwd 300us --rev 100us -o run --json >sync.json 2>progress.txt ||
    die "sync failed: $(cat progress.txt sync.json)"
cat progress.txt
python3 - <<'PY'
import json
d = json.load(open("sync.json"))
b, a = d["before"], d["after"]
print("bias before %.0f, after %.0f; time1 %.9f; ntpd before %.0f ns, after %.0f ns" % (
    b["bias_ns"], a["bias_ns"], d["time1_s"], b["ntpd_offset_ns"], a["ntpd_offset_ns"]))
assert d["layer"] == "refclock"
assert abs(d["time1_s"] * 1e9 - b["bias_ns"]) < 2, d
assert 85000 < b["lucky50_bias_ns"] < 105000, b
# the PTP layer is left alone: the bias is still there after
assert 85000 < a["lucky50_bias_ns"] < 105000, a
assert -115000 < b["ntpd_offset_ns"] < -85000, b
# time1 moves ntpd's refclock offset by itself, in the right direction. What stays is the
# difference between ptp4l's own offset (the lab's SHM feed: TIME_STATUS_NP master_offset,
# median delay filter) and the capture-based bias calibrate measured (tap floor -3 us, mean):
# several us, so the residual is bounded at a quarter of the start, and the move checked to
# a third of the correction: ntpd's filtered offset over a few ntpq readings of this PDV-laden
# path scatters by +-20 us between runs (seen: moves of 70.6, 96.2, 98.4, 112.9 us for time1
# of 88-93 us). A wrong sign (-90 us) or no effect (0) still fails.
moved = a["ntpd_offset_ns"] - b["ntpd_offset_ns"]
assert abs(moved - d["time1_s"] * 1e9) < d["time1_s"] * 1e9 / 3, (moved, d["time1_s"])
assert abs(a["ntpd_offset_ns"]) < abs(b["ntpd_offset_ns"]) / 4, a
assert d["improved"] is True
assert d["stages"]["gnss"] == "--no-gnss", d["stages"]
PY
grep -q "refclock shm unit [0-9]* refid PTP minpoll 0 maxpoll 0 time1 0.0000" run/after/cl1/ntp.conf ||
    die "no time1 in the after run's ntp.conf: $(cat run/after/cl1/ntp.conf)"
grep -q "time1" run/before/cl1/ntp.conf && die "time1 in the before run"
grep -q "delayAsymmetry" run/after/cl1/ptp4l.conf && die "refclock layer changed ptp4l.conf"
echo ok
