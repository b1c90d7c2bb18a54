#!/usr/bin/env python3
"""Check a ptp4l.conf against linuxptp's own option table, independently of ptpcal.

  linuxptp_options.py extract CONFIG_C TAG > TABLE.tsv   the config_tab of linuxptp's config.c
  linuxptp_options.py check TABLE.tsv PTP4L.CONF         exit 1 and one line per problem

The rules are those of linuxptp config.c config_read()/parse_item() (v3.1.1 .. v4.4): a
setting outside a section is an error; an option not in config_tab is "unknown option"
(ptp4l refuses the file); global-only items are unknown in a port section; INT values are
strtol(base 0) within [min, max]; ENU values are one of the table's labels (strcasecmp);
"ASAP" is accepted for fault_reset_interval / fault_badpeernet_interval
(parse_fault_interval); check_deprecated_options() renames some options first (read from the
same config.c).
"""
import re
import sys

CONSTS = {
    "INT_MIN": -2**31, "INT_MAX": 2**31 - 1, "UINT8_MAX": 255, "INT8_MIN": -128,
    "INT8_MAX": 127, "UINT16_MAX": 65535, "INT16_MAX": 32767, "UINT32_MAX": 2**32 - 1,
    "INT16_MIN": -32768,
}


def c_strtol(tok):
    """strtol(tok, &end, 0) with *end == '\\0' required (util.c get_ranged_int): 0x hex,
    a leading 0 octal, else decimal; an optional sign. ValueError otherwise."""
    t = tok.strip()
    sign = 1
    if t[:1] in "+-":
        sign, t = (-1 if t[0] == "-" else 1), t[1:]
    if t[:2].lower() == "0x":
        return sign * int(t[2:], 16)
    if len(t) > 1 and t[0] == "0":
        return sign * int(t[1:], 8)
    if not t.isdigit():
        raise ValueError(tok)
    return sign * int(t, 10)


def num(tok):
    tok = tok.strip()
    if tok in CONSTS:
        return CONSTS[tok]
    try:
        return c_strtol(tok)
    except ValueError:
        return None


def extract(src, tag):
    enums = {}
    for m in re.finditer(r"static struct config_enum (\w+)\[\]\s*=\s*\{(.*?)\n\};", src, re.S):
        enums[m.group(1)] = re.findall(r'\{\s*"([^"]+)"', m.group(2))
    tab = src[src.index("struct config_item config_tab[]"):]
    tab = tab[:tab.index("\n};")]
    rows = []
    for m in re.finditer(r'(GLOB|PORT)_ITEM_(INT|UIN|DBL|ENU|STR)\(\s*"([^"]+)"\s*,(.*?)\)\s*,', tab, re.S):
        scope, typ, name, rest = m.group(1).lower(), m.group(2).lower(), m.group(3), m.group(4)
        args = [a.strip() for a in rest.split(",")]
        lo = hi = labels = "-"
        if typ in ("int", "uin") and len(args) >= 3:
            lo, hi = num(args[1]), num(args[2])
            lo = "?" if lo is None else str(lo)
            hi = "?" if hi is None else str(hi)
        elif typ == "enu":
            labels = "|".join(enums.get(args[-1], ["?"]))
        rows.append((scope, typ, name, lo, hi, labels))
    dep = re.findall(r'!strcmp\(\*option, "([^"]+)"\)\)\s*\{\s*new_option = "([^"]+)"', src)
    out = ["# linuxptp config.c config_tab at tag %s (extracted by tests/e2e/linuxptp_options.py)" % tag,
           "# scope\ttype\tname\tmin\tmax\tlabels"]
    out += ["\t".join(r) for r in rows]
    out += ["deprecated\t%s\t%s\t-\t-\t-" % (old, new) for old, new in dep]
    return "\n".join(out) + "\n"


def load_table(path):
    items, dep = {}, {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        scope, typ, name, lo, hi, labels = line.rstrip("\n").split("\t")
        if scope == "deprecated":
            dep[typ] = name
        else:
            items[name] = (scope, typ, lo, hi, labels)
    return items, dep


def check(table, conf):
    items, dep = load_table(table)
    errors = []
    section = None
    for n, raw in enumerate(open(conf), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[] \t")
            continue
        if section is None:
            errors.append("%s:%d: not in a section" % (conf, n))
            continue
        if section == "unicast_master_table":
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            errors.append("%s:%d: could not parse line" % (conf, n))
            continue
        opt, val = parts[0], parts[1].strip()
        opt = dep.get(opt, opt)
        if opt in ("fault_reset_interval", "fault_badpeernet_interval") and val.lower() == "asap":
            continue
        if opt not in items:
            errors.append("%s:%d: unknown option %s" % (conf, n, opt))
            continue
        scope, typ, lo, hi, labels = items[opt]
        if section != "global" and scope != "port":
            errors.append("%s:%d: %s is global-only, not allowed in [%s]" % (conf, n, opt, section))
            continue
        if typ in ("int", "uin"):
            try:
                v = c_strtol(val)
            except ValueError:
                errors.append("%s:%d: %s: bad value %s" % (conf, n, opt, val))
                continue
            if (lo != "?" and v < int(lo)) or (hi != "?" and v > int(hi)):
                errors.append("%s:%d: %s: %s out of range [%s, %s]" % (conf, n, opt, val, lo, hi))
        elif typ == "enu":
            if val.lower() not in [l.lower() for l in labels.split("|")]:
                errors.append("%s:%d: %s: %s is not one of %s" % (conf, n, opt, val, labels))
        elif typ == "dbl":
            try:
                float(val)
            except ValueError:
                errors.append("%s:%d: %s: bad value %s" % (conf, n, opt, val))
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "extract":
        sys.stdout.write(extract(open(sys.argv[2]).read(), sys.argv[3]))
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    sys.stderr.write(__doc__)
    sys.exit(2)
