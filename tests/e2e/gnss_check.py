#!/usr/bin/env python3
"""Checks for the gnss end-to-end tests (independent of ptpcal's code: plain TSV parsing and
the known content of tests/data/gnss-fix-loss.nmea: fix 12:00:00-09, none 12:00:10-17,
fix 12:00:18-23 on 2026-11-26, 8 satellites used with a fix, 0 without).
  gnss_check.py gpsfake GNSS.tsv          fix, its loss and return at the right times
  gnss_check.py shm GNSS.tsv SHM.tsv      gpsd's SHM samples match its TOFF reports"""
import sys
from decimal import Decimal

T0 = 1795694400  # 2026-11-26T12:00:00Z


def read(path):
    rows, cols, meta = [], None, {}
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#"):
            if ": " in line:
                k, v = line[2:].split(": ", 1)
                meta[k] = v
            continue
        f = line.split("\t")
        if cols is None:
            cols = f
            continue
        assert len(f) == len(cols), (path, line)
        rows.append(dict(zip(cols, f)))
    return meta, rows


def fail(msg):
    print("FAILED:", msg)
    sys.exit(1)


def ns(t):  # exact "SEC.NNNNNNNNN" -> integer ns
    return int(Decimal(t) * 1000000000)


def gpsfake(path):
    meta, rows = read(path)
    ev = [r["event"] for r in rows]
    for need in ("CONNECT", "TPV", "SKY", "TOFF", "FIX_OK", "FIX_LOST", "DISCONNECT"):
        if need not in ev:
            fail("no %s row (events: %s)" % (need, sorted(set(ev))))
    # gpsd may send a TPV with a mode but no time yet (seen when the recorder connected
    # before gpsd's first fix time): such a row has gnss_time "-".
    tpv = [r for r in rows if r["event"] == "TPV" and r["gnss_time"] != "-"]
    secs = [ns(r["gnss_time"]) // 1000000000 - T0 for r in tpv]
    # The recorder connects 1.5-3.5 s after gpsfake starts (its retries): the first epochs
    # may come before it; the transitions at 12:00:10 and 12:00:18 are what counts.
    if secs != sorted(secs) or secs[0] > 5 or secs[-1] != 23:
        fail("TPV times %s" % secs)
    for r in tpv:
        k = ns(r["gnss_time"]) // 1000000000 - T0
        want = "1" if k in range(10, 18) else None
        if want and r["mode"] != "1":
            fail("TPV at 12:00:%02d has mode %s, want 1" % (k, r["mode"]))
        if not want and r["mode"] not in ("2", "3"):
            fail("TPV at 12:00:%02d has mode %s, want a fix" % (k, r["mode"]))
    # The transitions: lost at the TPV of 12:00:10, back at 12:00:18.
    trans = [(i, r) for i, r in enumerate(rows) if r["event"] in ("FIX_OK", "FIX_LOST")]
    lost = [(i, r) for i, r in trans if r["event"] == "FIX_LOST" and r["note"] == "TPV mode 1 (no fix)"]
    if len(lost) != 1:
        fail("want one FIX_LOST by 'TPV mode 1', got %s" % [r["note"] for _, r in trans])
    i, lr = lost[0]
    prev = rows[i - 1]
    if prev["event"] != "TPV" or ns(prev["gnss_time"]) != (T0 + 10) * 10**9:
        fail("FIX_LOST not right after the TPV of 12:00:10: %s" % prev)
    back = [(j, r) for j, r in trans if j > i and r["event"] == "FIX_OK"]
    if not back:
        fail("the fix never came back")
    j, br = back[0]
    if rows[j - 1]["event"] != "TPV" or ns(rows[j - 1]["gnss_time"]) != (T0 + 18) * 10**9:
        fail("FIX_OK not right after the TPV of 12:00:18: %s" % rows[j - 1])
    gap = (ns(br["host_time"]) - ns(lr["host_time"])) / 1e9
    if not 6.5 <= gap <= 9.5:
        fail("fix lost for %.2f s of host time, want ~8 (8 epochs at 1/s)" % gap)
    # Satellites: 8 used with a fix (after its SKY), 0 during the loss.
    for r in tpv:
        k = ns(r["gnss_time"]) // 1000000000 - T0
        if k in (5, 6, 7) and r["sats_used"] != "8":
            fail("12:00:%02d: %s satellites used, want 8" % (k, r["sats_used"]))
        if k in (13, 14, 15) and r["sats_used"] != "0":
            fail("12:00:%02d: %s satellites used, want 0" % (k, r["sats_used"]))
    # TOFF: offset = sys_time - gnss_time exactly; gnss_time a whole second of the log.
    for r in rows:
        if r["event"] != "TOFF":
            continue
        g, s = ns(r["gnss_time"]), ns(r["sys_time"])
        if int(r["offset_ns"]) != s - g or g % 10**9 or not T0 <= g // 10**9 <= T0 + 23:
            fail("TOFF row %s" % r)
    # The end: gpsd killed -> DISCONNECT, fix lost for that reason (or by the timeout before).
    d = [k for k, r in enumerate(rows) if r["event"] == "DISCONNECT"]
    if d[0] < j:
        fail("DISCONNECT before the end of the log")
    if meta.get("connections", "0") == "0":
        fail("no connections in metadata")
    print("gpsfake: %d TPV, fix lost at 12:00:10 for %.2f s, back at 12:00:18, %d TOFF"
          % (len(tpv), gap, ev.count("TOFF")))


def shm(gnss_path, shm_path):
    _, g = read(gnss_path)
    _, s = read(shm_path)
    toff = {ns(r["gnss_time"]): ns(r["sys_time"]) for r in g if r["event"] == "TOFF"}
    if len(s) < 5:
        fail("only %d SHM samples" % len(s))
    matched = 0
    for r in s:
        ref, sys_ = ns(r["ref_time"]), ns(r["sys_time"])
        if ref % 10**9 or not T0 <= ref // 10**9 <= T0 + 23:
            fail("SHM ref_time %s is not a whole second of the log" % r["ref_time"])
        if r["unit"] != "0" or int(r["offset_ns"]) != sys_ - ref:
            fail("SHM row %s" % r)
        if ref in toff:
            if toff[ref] != sys_:
                fail("SHM and TOFF disagree at %s: %d vs %d" % (r["ref_time"], sys_, toff[ref]))
            matched += 1
    if matched < 3:
        fail("only %d SHM samples have a TOFF report to compare with" % matched)
    print("shm: %d samples from gpsd's NTP0, %d equal to its TOFF reports to the ns" % (len(s), matched))


if sys.argv[1] == "gpsfake":
    gpsfake(sys.argv[2])
else:
    shm(sys.argv[2], sys.argv[3])
