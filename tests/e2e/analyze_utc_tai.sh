#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# The 37-second checks of ptpcal analyze on a real capture (datasets/direct-l2-30s.pcap:
# linuxptp 3.1.1 with software time stamping, whose grandmaster honestly announces an ARB
# timescale with UTC-valued times) and on copies of it altered the ways the guide warns
# about. TAI - UTC comes from leap-seconds.list, never a literal.
#  - as captured: no error, exit 0; "timescale-arb-utc";
#  - Announce flags set to ptpTimescale + currentUtcOffsetValid, origins still UTC: the
#    37-second error, "timescale-utc-as-tai", exit 1;
#  - the same with the origins moved to TAI (+ TAI - UTC): "timescale-tai", exit 0;
#  - exchanges whose master times are TAI - UTC behind: offset ~ +TAI-UTC s, "offset-tai-utc",
#    exit 1.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
LEAP=/usr/share/zoneinfo/leap-seconds.list
[ -r "$LEAP" ] || skip "no $LEAP (tzdata)"
cd "$E2E_DIR"
P="$PTPCAL"
"$P" capture -q -r "$PTPCAL_TOP/datasets/direct-l2-30s.pcap" -o ex.tsv --messages msgs.tsv
L=$(awk '!/^#/ && NF >= 2 { v = $2 } END { print v }' "$LEAP")
echo "TAI - UTC from $LEAP: $L s"

has() { # FILE CODE SEVERITY
    python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
sys.exit(0 if any(h["code"] == sys.argv[2] and h["severity"] == sys.argv[3] for h in a["health"]) else 1)
' "$@" || die "$1: no $3 $2: $(cat "$1")"
}

expect_exit 0 "$P" analyze msgs.tsv --json
cp "$E2E_DIR/stdout.txt" asis.json
has asis.json timescale-arb-utc info

# flags column 8: 0x000c = PTP_TIMESCALE | UTC_OFF_VALID (flagField[1], linuxptp msg.h)
awk 'BEGIN{FS=OFS="\t"} !/^#/ && $4 == "Announce" { $8 = "0x000c" } 1' msgs.tsv >claims-tai.tsv
expect_exit 1 "$P" analyze claims-tai.tsv --json
cp "$E2E_DIR/stdout.txt" claims.json
has claims.json timescale-utc-as-tai error
expect_exit 1 "$P" analyze claims-tai.tsv
grep -q "37-second" "$E2E_DIR/stdout.txt" || die "text report without the verdict"

# and with TAI-valued origins (ts_sec, column 11, of Sync/Follow_Up + L)
awk -v L="$L" 'BEGIN{FS=OFS="\t"} !/^#/ && ($4 == "Sync" || $4 == "Follow_Up") && $11 != "nan" && $11 > 0 { $11 = $11 + L } 1' \
    claims-tai.tsv >tai.tsv
expect_exit 0 "$P" analyze tai.tsv --json
cp "$E2E_DIR/stdout.txt" tai.json
has tai.json timescale-tai ok

# exchanges whose master clock runs L s behind the slave's (t1 column 9, t4 column 12)
awk -v L="$L" 'BEGIN{FS=OFS="\t"} !/^#/ && $1 != "t_s" {
    split($9, a, "."); $9 = (a[1] - L) "." a[2]; split($12, b, "."); $12 = (b[1] - L) "." b[2] } 1' \
    ex.tsv >ex-shifted.tsv
expect_exit 1 "$P" analyze ex-shifted.tsv --json
cp "$E2E_DIR/stdout.txt" shifted.json
has shifted.json offset-tai-utc error
expect_exit 0 "$P" analyze ex.tsv --json

# PHC readings (ptpcal phc record): a PHC on TAI is right, one holding UTC is the trap, one
# at -(TAI - UTC) has the offset backwards
for shift in "$L" 0 "-$L"; do
    awk -v L="$shift" 'BEGIN { print "# ptpcal-dataset 1 phc"; print "t_s\tsys\tphc\tphc_minus_sys_ns"
        for (i = 0; i < 60; i++) printf "%d\t%d.000000000\t%d.000001000\tnan\n", i, 1795000000 + i, 1795000000 + i + L }' \
        >"phc$shift.tsv"
done
expect_exit 0 "$P" analyze "phc$L.tsv" --json
cp "$E2E_DIR/stdout.txt" phc-tai.json
has phc-tai.json phc-tai ok
expect_exit 0 "$P" analyze phc0.tsv --json
cp "$E2E_DIR/stdout.txt" phc-utc.json
has phc-utc.json phc-utc warn
expect_exit 1 "$P" analyze "phc-$L.tsv" --json
cp "$E2E_DIR/stdout.txt" phc-back.json
has phc-back.json phc-offset-twice error
echo "UTC/TAI: the 37-second error is found where it was made and nowhere else"
