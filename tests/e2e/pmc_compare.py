#!/usr/bin/env python3
"""Compare `ptpcal pmc GET X` with linuxptp's `pmc -u -b 0 -s PATH "GET X"` field by field.

  pmc_compare.py OURS.txt THEIRS.txt

Every field linuxptp's pmc prints must be in ours with the same value. Fields that change
between two queries (offsets, ingress time) must agree within a tolerance. Exit 1 with the
differences listed.
"""
import sys

VOLATILE = {  # field: allowed absolute difference between two successive queries
    "offsetFromMaster": 1e6, "meanPathDelay": 1e6, "master_offset": 1e6,
    "ingress_time": 5e9, "cumulativeScaledRateOffset": 1e-3, "peerMeanPathDelay": 1e6,
}


def parse(path):
    """{dataset-answer-key: {field: value}} from either tool's text output."""
    out, cur = {}, None
    for line in open(path):
        if not line.strip() or line.startswith("sending:"):
            continue
        words = line.split()
        if " seq " in line or (not line[0].isspace() and len(words) == 3):
            # linuxptp: "\tPORTID seq N RESPONSE MANAGEMENT NAME"; ours: "PORTID RESPONSE NAME"
            cur = (words[0], words[-1])
            out[cur] = {}
            continue
        if cur is None or len(words) < 2:
            continue
        out[cur][words[0]] = " ".join(words[1:])
    return out


def value(v):
    if v in ("true", "false"):
        return 1 if v == "true" else 0
    try:
        return int(v, 16) if v.lower().startswith("0x") and "'" not in v else int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v


def main():
    ours, theirs = parse(sys.argv[1]), parse(sys.argv[2])
    problems = []
    if not theirs:
        problems.append("linuxptp's pmc printed no answer")
    for key, fields in theirs.items():
        if key not in ours:
            problems.append("answer %s missing from ours (have %s)" % (key, list(ours)))
            continue
        for name, v in fields.items():
            if name not in ours[key]:
                problems.append("%s: field %s missing" % (key, name))
                continue
            a, b = value(ours[key][name]), value(v)
            tol = VOLATILE.get(name)
            if tol is not None and isinstance(a, (int, float)) and isinstance(b, (int, float)):
                if abs(a - b) > tol:
                    problems.append("%s: %s ours %s, pmc %s (beyond %g)" % (key, name, a, b, tol))
            elif a != b:
                problems.append("%s: %s ours %r, pmc %r" % (key, name, ours[key][name], v))
    for p in problems:
        print(p)
    n = sum(len(f) for f in theirs.values())
    if not problems:
        print("%d answers, %d fields agree" % (len(theirs), n))
    return 1 if problems else 0


sys.exit(main())
