#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# Bad input never crashes, hangs or loses data: each gets a clear error line and exit 2,
# and a damaged file still yields every exchange before the damage. Runs the ASan+UBSan
# build too when it exists.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
mkpcap="$PTPCAL_TOP/build/tests/tools/mkpcap"
cd "$E2E_DIR"
"$mkpcap" good.pcap --exchanges 30
for bin in "$PTPCAL" ${PTPCAL_ASAN:+"$PTPCAL_ASAN"}; do
    [ -x "$bin" ] || continue
    echo "== $bin"
    expect_exit 2 "$bin" capture -q -r /nonexistent.pcap -o x.tsv
    grep -q "/nonexistent.pcap: cannot read as pcap/pcapng: " "$ERR" || die "unclear: $(cat "$ERR")"
    printf 'not a capture\n' >garbage.pcap
    expect_exit 2 "$bin" capture -q -r garbage.pcap -o x.tsv
    grep -q "garbage.pcap: cannot read as pcap/pcapng: unknown file format" "$ERR" || die "$(cat "$ERR")"
    : >empty.pcap
    expect_exit 2 "$bin" capture -q -r empty.pcap -o x.tsv
    expect_exit 2 "$bin" capture -q -r . -o x.tsv
    # truncated in the middle of a record: everything before is written
    size=$(stat -c %s good.pcap)
    head -c $((size * 2 / 3)) good.pcap >cut.pcap
    expect_exit 2 "$bin" capture -q -r cut.pcap -o cut.tsv
    grep -q "cut.pcap: after packet [0-9]*: truncated dump file" "$ERR" || die "$(cat "$ERR")"
    [ "$(wc -l <"$ERR")" -eq 1 ] || die "more than one line of error: $(cat "$ERR")"
    full=$("$bin" capture -q -r good.pcap -o - | grep -c '^[0-9]')
    part=$(grep -c '^[0-9]' cut.tsv)
    [ "$part" -gt 0 ] && [ "$part" -lt "$full" ] || die "cut file gave $part of $full exchanges"
    grep -q "^# input_truncated:" cut.tsv || die "no truncation note in the dataset"
    # random garbage after a valid header, flipped bytes: exit 0 or 2, never a crash
    for seed in 1 2 3 4 5 6 7 8; do
        python3 - good.pcap flip.pcap "$seed" <<'PY'
import random, sys
d = bytearray(open(sys.argv[1], "rb").read())
r = random.Random(int(sys.argv[3]))
for _ in range(200):
    d[r.randrange(24, len(d))] = r.randrange(256)
open(sys.argv[2], "wb").write(d)
PY
        set +e
        "$bin" capture -q -r flip.pcap -o flip.tsv 2>flip.err
        rc=$?
        set -e
        [ $rc -eq 0 ] || [ $rc -eq 2 ] || die "flipped bytes (seed $seed): exit $rc: $(cat flip.err)"
    done
    # output that cannot be written
    expect_exit 2 "$bin" capture -q -r good.pcap -o /nonexistent-dir/x.tsv
    grep -q "/nonexistent-dir/x.tsv: cannot create" "$ERR" || die "$(cat "$ERR")"
    if [ -w /dev/full ]; then
        expect_exit 2 "$bin" capture -q -r good.pcap -o /dev/full
        grep -q "/dev/full: write failed: No space left on device" "$ERR" || die "$(cat "$ERR")"
    fi
    # usage errors
    expect_exit 2 "$bin" capture
    expect_exit 2 "$bin" capture -r good.pcap --slave bogus
    expect_exit 2 "$bin" nosuchcommand
    expect_exit 0 "$bin" capture --help
    expect_exit 0 "$bin" help capture
    expect_exit 0 "$bin" --version
done
echo "bad inputs handled"
