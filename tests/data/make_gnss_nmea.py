#!/usr/bin/env python3
"""Writes tests/data/gnss-fix-loss.nmea: an NMEA 0183 log of a GPS receiver that has a 3D fix
(8 satellites used) for 10 epochs, loses it for 8 epochs (RMC status V, GGA quality 0, GSA
mode 1, no satellites used, still 6 in view), then has a 3D fix again for 6 epochs.
One epoch per second of UTC, starting 2026-11-26 12:00:00, five sentences each:
RMC, GGA, GSA, GSV 1/2, GSV 2/2 (feed with gpsfake -c 0.2 for one epoch per second).
Checksums: XOR of the characters between '$' and '*' (NMEA 0183)."""
import sys

def nmea(body):
    c = 0
    for ch in body:
        c ^= ord(ch)
    return "$%s*%02X\r\n" % (body, c)

SATS = [(2, 45, 120, 42), (5, 60, 200, 40), (7, 30, 310, 38), (9, 15, 40, 35),
        (13, 70, 90, 44), (16, 25, 260, 36), (21, 50, 150, 41), (30, 10, 350, 33)]

def gsv(sats):
    out = []
    n = len(sats)
    total = max(1, (n + 3) // 4)
    for i in range(total):
        chunk = sats[i * 4:(i + 1) * 4]
        fields = ["GPGSV", str(total), str(i + 1), "%02d" % n]
        for prn, el, az, snr in chunk:
            fields += ["%02d" % prn, "%02d" % el, "%03d" % az, "%02d" % snr if snr else ""]
        out.append(nmea(",".join(fields)))
    return out

def epoch(h, m, s, fix):
    t = "%02d%02d%02d.00" % (h, m, s)
    date = "261126"
    lat, ns_, lon, ew = "4807.038", "N", "01131.000", "E"
    if fix:
        used = [p for p, _, _, _ in SATS]
        lines = [nmea("GPRMC,%s,A,%s,%s,%s,%s,000.0,000.0,%s,,,A" % (t, lat, ns_, lon, ew, date)),
                 nmea("GPGGA,%s,%s,%s,%s,%s,1,08,0.9,545.4,M,46.9,M,," % (t, lat, ns_, lon, ew)),
                 nmea("GPGSA,A,3," + ",".join("%02d" % p for p in used) + ",,,,,1.8,0.9,1.5")]
        lines += gsv(SATS)
    else:
        weak = [(p, e, a, 0) for p, e, a, _ in SATS[:6]]
        lines = [nmea("GPRMC,%s,V,,,,,,,%s,,,N" % (t, date)),
                 nmea("GPGGA,%s,,,,,0,00,99.9,,M,,M,," % t),
                 nmea("GPGSA,A,1,,,,,,,,,,,,,99.9,99.9,99.9")]
        lines += gsv(weak)
    return lines

def main():
    out = []
    sec = 0
    for n, fix in ((10, True), (8, False), (6, True)):
        for _ in range(n):
            out += epoch(12, sec // 60, sec % 60, fix)
            sec += 1
    sys.stdout.write("".join(out))

main()
