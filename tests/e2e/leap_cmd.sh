#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# ptpcal leap on the installed leap-seconds.list at times with known answers (TAI - UTC was
# 10 s in February 1972 and 37 s from 2017 on; the list's own '#@' line gives its expiry),
# on a file with a broken hash (refused, exit 2) and without one (accepted with a warning).
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
f=/usr/share/zoneinfo/leap-seconds.list
[ -r "$f" ] || skip "no $f (tzdata)"
cd "$E2E_DIR"
# Expiry from the file itself: NTP seconds on the '#@' line - 2208988800.
exp=$(awk '$1 == "#@" { print $2 - 2208988800 }' "$f")
expect_exit 0 "$PTPCAL" leap --at 66528000 --json   # 1972-02-10
grep -q '"tai_utc_s": 10' "$E2E_DIR/stdout.txt" || die "1972: $(cat "$E2E_DIR/stdout.txt")"
expect_exit 0 "$PTPCAL" leap --at 1600000000 --json  # 2020-09-13
grep -q '"tai_utc_s": 37' "$E2E_DIR/stdout.txt" || die "2020: $(cat "$E2E_DIR/stdout.txt")"
grep -q '"hash": "good"' "$E2E_DIR/stdout.txt" || die "hash not verified"
expect_exit 1 "$PTPCAL" leap --at "$exp"
grep -q 'expired on' "$ERR" || die "no expiry warning: $(cat "$ERR")"
expect_exit 0 "$PTPCAL" leap --at $((exp - 1))
# One digit of the 2017 entry changed: the SHA-1 line no longer matches.
sed 's/^3692217600\([[:space:]]*\)37/3692217600\138/' "$f" >edited.list
cmp -s "$f" edited.list && die "sed did not change the 2017 line"
expect_exit 2 "$PTPCAL" leap -f edited.list
grep -q 'hash mismatch' "$ERR" || die "edited file: $(cat "$ERR")"
grep -v '^#h' "$f" >nohash.list
expect_exit 0 "$PTPCAL" leap -f nohash.list --at 1600000000
grep -q "no '#h' hash line" "$ERR" || die "no warning for a hash-less file"
printf 'hello\n' >bad.list
expect_exit 2 "$PTPCAL" leap -f bad.list
grep -q 'bad.list:1: not a leap second line' "$ERR" || die "bad file: $(cat "$ERR")"
expect_exit 0 "$PTPCAL" leap --help
echo "leap: 10 s in 1972, 37 s in 2020, expiry at $exp, edited file refused"
