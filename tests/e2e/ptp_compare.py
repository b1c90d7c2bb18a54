#!/usr/bin/env python3
"""Independent checks of ptpcal's decoding against tshark and ptp4l (end-to-end tests).

  ptp_compare.py tshark-messages PCAP MESSAGES.tsv   every message field by field
  ptp_compare.py tshark-exchanges PCAP EXCHANGES.tsv  exchanges recomputed from tshark's fields
  ptp_compare.py ptp4l CLIENT.log MESSAGES.tsv EXCHANGES.tsv
                                                     ptp4l's own per-sample numbers

Prints what it compared and exits 1 on any disagreement. Uses only the Python standard
library and tshark; the pairing here is written separately from ptpcal's C code."""
import re
import statistics
import subprocess
import sys
from fractions import Fraction

TYPES = {0: "Sync", 1: "Delay_Req", 2: "Pdelay_Req", 3: "Pdelay_Resp", 8: "Follow_Up",
         9: "Delay_Resp", 10: "Pdelay_Resp_Follow_Up", 11: "Announce", 12: "Signaling",
         13: "Management"}
FIELDS = ["frame.number", "frame.time_epoch", "ptp.v2.messagetype", "ptp.v2.domainnumber",
          "ptp.v2.sequenceid", "ptp.v2.clockidentity", "ptp.v2.sourceportid", "ptp.v2.flags",
          "ptp.v2.correction.ns", "ptp.v2.correction.subns", "ptp.v2.logmessageperiod",
          "ptp.v2.minorversionptp", "ptp.v2.messagelength",
          "ptp.v2.sdr.origintimestamp.seconds", "ptp.v2.sdr.origintimestamp.nanoseconds",
          "ptp.v2.fu.preciseorigintimestamp.seconds", "ptp.v2.fu.preciseorigintimestamp.nanoseconds",
          "ptp.v2.dr.receivetimestamp.seconds", "ptp.v2.dr.receivetimestamp.nanoseconds",
          "ptp.v2.dr.requestingsourceportidentity", "ptp.v2.dr.requestingsourceportid",
          "ptp.v2.pdrq.origintimestamp.seconds", "ptp.v2.pdrq.origintimestamp.nanoseconds",
          "ptp.v2.pdrs.requestreceipttimestamp.seconds", "ptp.v2.pdrs.requestreceipttimestamp.nanoseconds",
          "ptp.v2.pdrs.requestingportidentity", "ptp.v2.pdrs.requestingsourceportid",
          "ptp.v2.pdfu.responseorigintimestamp.seconds", "ptp.v2.pdfu.responseorigintimestamp.nanoseconds",
          "ptp.v2.pdfu.requestingportidentity", "ptp.v2.pdfu.requestingsourceportid",
          "ptp.v2.an.origintimestamp.seconds", "ptp.v2.an.origintimestamp.nanoseconds",
          "ptp.v2.an.origincurrentutcoffset", "ptp.v2.an.grandmasterclockclass",
          "ptp.v2.an.grandmasterclockidentity", "ptp.v2.an.priority1", "ptp.v2.an.priority2",
          "ptp.v2.an.grandmasterclockaccuracy", "ptp.v2.an.grandmasterclockvariance",
          "ptp.v2.an.localstepsremoved", "ptp.v2.timesource",
          "ptp.v2.sig.targetportidentity", "ptp.v2.sig.targetportid",
          "ptp.v2.mm.targetportidentity", "ptp.v2.mm.targetportid", "ptp.v2.mm.action",
          "ptp.v2.mm.managementId"]
TS_FIELDS = {0: "sdr.origintimestamp", 1: "sdr.origintimestamp", 2: "pdrq.origintimestamp",
             3: "pdrs.requestreceipttimestamp", 8: "fu.preciseorigintimestamp",
             9: "dr.receivetimestamp", 10: "pdfu.responseorigintimestamp",
             11: "an.origintimestamp"}
PORT2_FIELDS = {9: "dr.requestingsourceport", 3: "pdrs.requesting", 10: "pdfu.requesting",
                12: "sig.target", 13: "mm.target"}

failures = 0


def fail(msg):
    global failures
    failures += 1
    if failures <= 30:
        print("MISMATCH:", msg)


def read_dataset(path):
    meta, rows, header = {}, [], None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                m = re.match(r"# ([A-Za-z0-9_.-]+): (.*)", line)
                if m:
                    meta.setdefault(m.group(1), m.group(2))
                continue
            if header is None:
                header = line.split("\t")
                continue
            rows.append(dict(zip(header, line.split("\t"))))
    return meta, rows


def tshark(pcap):
    cmd = ["tshark", "-r", pcap, "-Y", "ptp", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    pkts = []
    for line in out.splitlines():
        v = line.split("\t")
        pkts.append(dict(zip(FIELDS, v + [""] * (len(FIELDS) - len(v)))))
    return pkts


def clock_id(hexstr):
    h = hexstr[2:] if hexstr.startswith("0x") else hexstr
    h = h.rjust(16, "0")
    return f"{h[0:6]}.{h[6:10]}.{h[10:16]}"


def correction_sns(p):
    ns = int(p["ptp.v2.correction.ns"])
    if ns >= 1 << 63:
        ns -= 1 << 64
    sub = Fraction(p["ptp.v2.correction.subns"] or "0")
    return ns * 65536 + round(sub * 65536)


def exact_time(s):
    """'SEC.NNNNNNNNN[sub]' -> Fraction of ns."""
    a, b = s.split(".")
    b = b.ljust(9, "0")
    return Fraction(int(a) * 10**9 + int(b[:9])) + (Fraction(int(b[9:]), 10 ** len(b[9:])) if len(b) > 9 else 0)


def cmd_tshark_messages(pcap, msgs_path):
    _, ours = read_dataset(msgs_path)
    theirs = tshark(pcap)
    by_frame = {int(r["frame"]): r for r in ours}
    print(f"tshark decoded {len(theirs)} PTP messages, ptpcal {len(ours)}")
    if len(theirs) != len(ours):
        fail(f"message counts differ: tshark {len(theirs)}, ptpcal {len(ours)}")
    checked = 0
    for p in theirs:
        fr = int(p["frame.number"])
        r = by_frame.get(fr)
        if r is None:
            fail(f"frame {fr}: tshark decoded a PTP message ptpcal did not")
            continue
        t = int(p["ptp.v2.messagetype"], 16)
        want = {
            "type": TYPES.get(t, "?"),
            "domain": p["ptp.v2.domainnumber"],
            "seq": p["ptp.v2.sequenceid"],
            "source": clock_id(p["ptp.v2.clockidentity"]) + "-" + p["ptp.v2.sourceportid"],
            "flags": "0x%04x" % int(p["ptp.v2.flags"], 16),
            "correction_sns": str(correction_sns(p)),
            "log_interval": p["ptp.v2.logmessageperiod"],
            "length": p["ptp.v2.messagelength"],
        }
        # capture time: tshark prints the epoch time with ns digits
        if exact_time(p["frame.time_epoch"]) != exact_time(r["time"]):
            fail(f"frame {fr}: capture time {r['time']} != tshark {p['frame.time_epoch']}")
        if t in TS_FIELDS:
            f = "ptp.v2." + TS_FIELDS[t]
            want["ts_sec"] = p[f + ".seconds"]
            want["ts_nsec"] = p[f + ".nanoseconds"]
        if t in PORT2_FIELDS:
            base = "ptp.v2." + PORT2_FIELDS[t]
            ident = p.get(base + "identity") or p.get(base + "portidentity", "")
            port = p.get(base + "id") or p.get(base + "sourceportid", "")
            if t == 9:
                ident, port = p["ptp.v2.dr.requestingsourceportidentity"], p["ptp.v2.dr.requestingsourceportid"]
            elif t == 3:
                ident, port = p["ptp.v2.pdrs.requestingportidentity"], p["ptp.v2.pdrs.requestingsourceportid"]
            elif t == 10:
                ident, port = p["ptp.v2.pdfu.requestingportidentity"], p["ptp.v2.pdfu.requestingsourceportid"]
            elif t == 12:
                ident, port = p["ptp.v2.sig.targetportidentity"], p["ptp.v2.sig.targetportid"]
            elif t == 13:
                ident, port = p["ptp.v2.mm.targetportidentity"], p["ptp.v2.mm.targetportid"]
            want["port2"] = clock_id(ident) + "-" + port
        for k, v in want.items():
            if r[k] != v:
                fail(f"frame {fr} {want['type']}: {k} ptpcal '{r[k]}' tshark '{v}'")
        if t == 11:
            info = r["info"]
            exp = {"class": p["ptp.v2.an.grandmasterclockclass"],
                   "utc_offset": p["ptp.v2.an.origincurrentutcoffset"],
                   "steps": p["ptp.v2.an.localstepsremoved"],
                   "gm": clock_id(p["ptp.v2.an.grandmasterclockidentity"]),
                   "accuracy": "0x%02x" % int(p["ptp.v2.an.grandmasterclockaccuracy"], 0),
                   "variance": "0x%04x" % int(p["ptp.v2.an.grandmasterclockvariance"], 0),
                   "priority": p["ptp.v2.an.priority1"] + "/" + p["ptp.v2.an.priority2"],
                   "source": "0x%02x" % int(p["ptp.v2.timesource"], 0)}
            for k, v in exp.items():
                if not re.search(rf"(^| ){k} {re.escape(v)}( |$)", info):
                    fail(f"frame {fr} Announce: {k} {v} not in '{info}'")
        if t == 13 and p["ptp.v2.mm.managementId"]:
            mid = "0x%04x" % int(p["ptp.v2.mm.managementId"], 0)
            if f"id {mid}" not in r["info"]:
                fail(f"frame {fr} Management: id {mid} not in '{r['info']}'")
        checked += 1
    print(f"compared {checked} messages field by field")


def cmd_tshark_exchanges(pcap, ex_path):
    """Pair from tshark's fields (latest complete Sync captured before each answered
    Delay_Req) and compute IEEE 1588's offset and mean path delay in exact fractions."""
    pkts = tshark(pcap)
    syncs = {}   # (domain, master) -> list of complete syncs [t2, t1c, seq]
    pend = {}    # (domain, master) -> {seq: [t2, corr, two_step, origin]}
    reqs = {}    # (domain, slave, seq) -> (t3, corr_req)
    mine = []
    for p in pkts:
        t = int(p["ptp.v2.messagetype"], 16)
        dom = p["ptp.v2.domainnumber"]
        src = clock_id(p["ptp.v2.clockidentity"]) + "-" + p["ptp.v2.sourceportid"]
        seq = int(p["ptp.v2.sequenceid"])
        cap = exact_time(p["frame.time_epoch"])
        corr = correction_sns(p)
        if t == 0:
            two = int(p["ptp.v2.flags"], 16) & 0x0200
            if two:
                pend.setdefault((dom, src), {})[seq] = [cap, corr]
            else:
                origin = int(p["ptp.v2.sdr.origintimestamp.seconds"]) * 10**9 + int(p["ptp.v2.sdr.origintimestamp.nanoseconds"])
                syncs.setdefault((dom, src), []).append((cap, origin + Fraction(corr, 65536), seq))
        elif t == 8:
            s = pend.get((dom, src), {}).pop(seq, None)
            if s:
                origin = int(p["ptp.v2.fu.preciseorigintimestamp.seconds"]) * 10**9 + int(p["ptp.v2.fu.preciseorigintimestamp.nanoseconds"])
                syncs.setdefault((dom, src), []).append((s[0], origin + Fraction(s[1] + corr, 65536), seq))
        elif t == 1:
            reqs[(dom, src, seq)] = (cap, corr)
        elif t == 9:
            slave = clock_id(p["ptp.v2.dr.requestingsourceportidentity"]) + "-" + p["ptp.v2.dr.requestingsourceportid"]
            q = reqs.pop((dom, slave, seq), None)
            if not q:
                continue
            t3, corr_req = q
            cands = [s for s in syncs.get((dom, src), []) if s[0] < t3]
            if not cands:
                continue
            t2, t1, sseq = max(cands, key=lambda s: s[0])
            rx = int(p["ptp.v2.dr.receivetimestamp.seconds"]) * 10**9 + int(p["ptp.v2.dr.receivetimestamp.nanoseconds"])
            t4 = rx - Fraction(corr, 65536)
            A = Fraction(-corr_req, 65536)
            fwd = t2 - t1 - A
            rev = t4 - t3
            mine.append(dict(seq=seq, sseq=sseq, offset=(fwd - rev) / 2, delay=(fwd + rev) / 2,
                             t1=t1, t4=t4))
    _, ours = read_dataset(ex_path)
    print(f"exchanges: tshark-based {len(mine)}, ptpcal {len(ours)}")
    if len(mine) != len(ours):
        fail(f"exchange counts differ: {len(mine)} vs {len(ours)}")
    for m, r in zip(mine, ours):
        if int(r["req_seq"]) != m["seq"] or int(r["sync_seq"]) != m["sseq"]:
            fail(f"pairing differs: ptpcal req {r['req_seq']} sync {r['sync_seq']}, "
                 f"tshark-based req {m['seq']} sync {m['sseq']}")
            continue
        if exact_time(r["t1"]) != m["t1"] or exact_time(r["t4"]) != m["t4"]:
            fail(f"req {m['seq']}: t1/t4 {r['t1']} {r['t4']} != {float(m['t1'])} {float(m['t4'])}")
        for k in ("offset", "delay"):
            ourv = Fraction(r[k + "_ns"])
            if abs(ourv - m[k]) > Fraction(1, 1000):  # ptpcal prints derived values to 1 ps
                fail(f"req {m['seq']}: {k} ptpcal {r[k + '_ns']} exact {float(m[k]):.4f}")
    print(f"compared {min(len(mine), len(ours))} exchanges: t1, t4 exact, offset and delay to 1 ps")


def cmd_ptp4l(log_path, msgs_path, ex_path):
    """ptp4l (free_running, summary_interval <= logSyncInterval) prints, per sample,
    'master offset O ... path delay D' with O = (t2 - t1) - D (tsproc.c). So O + D is the
    Sync's t2 - t1, which ptpcal decodes from the capture: it must match exactly. The path
    delay ptp4l filters (moving median of 10) uses its own transmit timestamp of Delay_Req,
    which the kernel takes after the capture tap: ptpcal's delay can only be larger."""
    log = [(int(m.group(1)), int(m.group(2))) for m in re.finditer(
        r"master offset\s+(-?\d+) s\d freq\s+\S+ path delay\s+(-?\d+)", open(log_path).read())]
    _, msgs = read_dataset(msgs_path)
    sync_t2, fwd = {}, []
    for r in msgs:
        if r["type"] == "Sync" and r["dir"] != "out":
            sync_t2[(r["source"], r["seq"])] = (exact_time(r["time"]), int(r["correction_sns"]))
        elif r["type"] == "Follow_Up" and (r["source"], r["seq"]) in sync_t2:
            t2, c = sync_t2.pop((r["source"], r["seq"]))
            t1 = int(r["ts_sec"]) * 10**9 + int(r["ts_nsec"]) + Fraction(c + int(r["correction_sns"]), 65536)
            fwd.append(t2 - t1)
    sums = [o + d for o, d in log]
    print(f"ptp4l printed {len(log)} samples; the capture holds {len(fwd)} complete Syncs")
    if len(log) < 5:
        fail("too few ptp4l samples to compare")
        return
    # Align the two sequences: find where ptp4l's samples sit among the Syncs.
    fset = {}
    for i, f in enumerate(fwd):
        fset.setdefault(int(f) if f == int(f) else None, []).append(i)
    hits = sum(1 for s in sums if s in fset)
    print(f"{hits} of {len(sums)} ptp4l samples equal ptpcal's t2 - t1 of a Sync to the ns")
    if hits < 0.9 * len(sums):
        fail(f"only {hits}/{len(sums)} ptp4l samples match ptpcal's t2 - t1 exactly")
    _, ex = read_dataset(ex_path)
    ours = statistics.median(float(r["delay_ns"]) for r in ex)
    theirs = statistics.median(d for _, d in log)
    print(f"path delay median: ptpcal {ours:.1f} ns, ptp4l {theirs:.1f} ns, "
          f"difference {ours - theirs:.1f} ns (capture tap before the kernel's tx timestamp)")
    if not (-200 <= ours - theirs <= 50000):
        fail(f"path delays disagree beyond the tap/tx-timestamp gap: {ours - theirs:.1f} ns")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    {"tshark-messages": cmd_tshark_messages, "tshark-exchanges": cmd_tshark_exchanges,
     "ptp4l": cmd_ptp4l}[cmd](*args)
    if failures:
        print(f"{failures} mismatches")
        return 1
    print("all equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
