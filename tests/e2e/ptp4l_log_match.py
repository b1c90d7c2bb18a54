"""ptp4l's logged offsets matched, Sync by Sync, to the replay of its estimator by
`ptpcal analyze --out` (ptp4l_offsets.tsv), for the e2e tests of analyze/ptp4l_estimator.h."""
import re
import statistics as st


def read_rows(path):
    """The rows of a ptpcal dataset as dicts of strings (header: the first non-# line)."""
    rows, cols = [], None
    for l in open(path):
        if l.startswith("#"):
            continue
        f = l.rstrip("\n").split("\t")
        if cols is None:
            cols = f
            continue
        rows.append(dict(zip(cols, f)))
    return rows

def read_replay(path):
    """(offset, delay, two-way offset, t_s) per Sync of a ptp4l-offsets dataset."""
    return [(float(d["offset_ns"]), float(d["delay_ns"]), float(d["two_way_offset_ns"]),
             float(d["t_s"])) for d in read_rows(path)]

def read_logged(path):
    """(monotonic time of the line, offset, path delay); ptp4l -m prefixes CLOCK_MONOTONIC."""
    pat = re.compile(r"\[(\d+\.\d+)\]: master offset\s+(-?\d+) s\d freq\s+\S+ path delay\s+(-?\d+)")
    return [(float(m.group(1)), int(m.group(2)), int(m.group(3)))
            for m in map(pat.search, open(path)) if m]

def match(rep, log):
    """Each logged line to its Sync: offset + path delay = t2 - t1c, the same in ptp4l and
    the capture (receive stamps agree; the sub-ns corrections make <= 2 ns). Values repeat
    over a run, so the line's time decides: the offset between ptp4l's monotonic clock and
    the capture's is the mode of (Sync time - line time) over the value matches (the line is
    printed ~1 ms after its Sync), then each line takes the value match nearest in time."""
    votes = {}
    for m, o, d in log:
        for r in rep:
            if abs(r[0] + r[1] - (o + d)) <= 3:
                b = round((r[3] - m) / 0.05)
                votes[b] = votes.get(b, 0) + 1
    if not votes:
        return []
    best = max(votes, key=votes.get)
    off = st.mean([r[3] - m for m, o, d in log for r in rep
                   if abs(r[0] + r[1] - (o + d)) <= 3 and abs((r[3] - m) / 0.05 - best) <= 1])
    pairs = []
    for m, o, d in log:
        c = [r for r in rep if abs(r[3] - (m + off)) < 0.1 and abs(r[0] + r[1] - (o + d)) <= 3]
        if c:
            pairs.append((o, min(c, key=lambda r: abs(r[3] - (m + off)))))
    return pairs
