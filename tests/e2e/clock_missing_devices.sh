#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# This machine has no /dev/ptp* and no /dev/pps*: every clock-source command says so in one
# line naming the device, exits 2 and writes nothing. (If a device does exist here, the
# read-only ones are run for real instead.)
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
cd "$E2E_DIR"
one_line() { [ "$(wc -l <"$ERR")" = 1 ] || die "not one line: $(cat "$ERR")"; grep -q "$1" "$ERR" || die "stderr lacks '$1': $(cat "$ERR")"; }

ptp=/dev/ptp0 pps=/dev/pps0
if [ -e $ptp ]; then
    "$PTPCAL" phc cmp $ptp || die "phc cmp on a real $ptp failed"
    ptp=/dev/ptp-ptpcal-none
fi
[ -e $pps ] && pps=/dev/pps-ptpcal-none

expect_exit 2 "$PTPCAL" phc cmp $ptp
one_line "$ptp: no such device"
expect_exit 2 "$PTPCAL" phc record $ptp -o phc.tsv --duration 1
one_line "$ptp: no such device"
expect_exit 2 "$PTPCAL" phc caps $ptp
one_line "$ptp: no such device"
expect_exit 2 "$PTPCAL" pps record $pps -o pps.tsv --duration 1
one_line "$pps: no such device"
expect_exit 2 "$PTPCAL" extts record $ptp --index 0 -o extts.tsv --duration 1
one_line "$ptp: no such device"
expect_exit 2 "$PTPCAL" extts perout $ptp --index 0 --period 1s
one_line "$ptp: no such device"
expect_exit 2 "$PTPCAL" truth --pps $pps --phc $ptp -o truth.tsv --duration 1
one_line "$pps: no such device"
# An interface without a PHC (lo: software timestamps only), and a file that is no clock.
expect_exit 2 "$PTPCAL" phc cmp lo
one_line "lo: has no PTP hardware clock"
expect_exit 2 "$PTPCAL" phc cmp ptpcalnosuch0
one_line "ptpcalnosuch0: no such device or interface"
expect_exit 2 "$PTPCAL" phc cmp /dev/null
one_line "/dev/null: not a PTP hardware clock"
expect_exit 2 "$PTPCAL" pps record /dev/null -o pps.tsv
one_line "/dev/null: not a PPS device"
for f in phc.tsv pps.tsv extts.tsv truth.tsv; do
    [ ! -e $f ] || die "$f was written although the device is missing"
done
# --help works without any device.
for c in phc pps extts truth; do "$PTPCAL" $c --help >/dev/null || die "$c --help"; done
echo "missing devices: one line each, exit 2, nothing written"
