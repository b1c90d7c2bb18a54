#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# `ptpcal shm write --replay` as a bridge: the offsets of a dataset (local - reference, ns,
# one nan row to skip) go into an SHM segment at the dataset's pace; gpsd's ntpshmmon (an
# independent reader) and `ptpcal shm read` must see exactly those values, to the ns.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ipcs
cd "$E2E_DIR"
unit=""
# 241..249: ntpshmmon names a segment "NTP" + the byte 0x30 + unit, here "!"..")", so its
# lines can be told from other writers' (unit 240 would print as "NTP ", like 208's NUL)
for u in $(seq $((241 + $$ % 9)) 249) $(seq 241 249); do
    key=$(printf '0x%08x' $((0x4e545030 + u)))
    if ! ipcs -m | grep -qi "^$key "; then unit=$u; break; fi
done
[ -n "$unit" ] || skip "no free SHM unit in 241..249"
name=$(printf "NTP\\$(printf '%03o' $((0x30 + unit - 256)))")
printf '# ptpcal-dataset 1 truth\nt_s\toffset_ns\n0.0\t1000\n0.3\t-2000\n0.6\t123456\n0.9\tnan\n1.2\t-7\n1.5\t5000000\n' >in.tsv
# The writer creates the segment and waits, so that both readers attach before sample 1.
"$PTPCAL" shm write --unit "$unit" --replay in.tsv --wait 1.5s >writer.log 2>&1 &
w=$!
wait_for_line writer.log created || die "writer did not create unit $unit: $(cat writer.log)"
trap 'kill $w 2>/dev/null || true' EXIT
have_mon=0
if command -v ntpshmmon >/dev/null 2>&1; then
    have_mon=1
    # every segment on the host: no count (another writer's samples would use it up, as a
    # concurrent test's SHM feed did), the timeout ends it; our lines picked by name below
    ntpshmmon -o -t 4 >mon.out 2>&1 &
    m=$!
fi
"$PTPCAL" shm read --unit "$unit" --count 5 --duration 4s -o read.tsv >/dev/null 2>read.err ||
    die "shm read: $(cat read.err writer.log)"
wait $w || die "writer: $(cat writer.log)"
got=$(awk -F'\t' '/^[0-9]/ { printf "%s ", $6 }' read.tsv)
[ "$got" = "1000 -2000 123456 -7 5000000 " ] || die "ptpcal shm read got: $got"
if [ $have_mon = 1 ]; then
    wait "$m" || true
    mon=$(awk -v n="$name" '$1 == "sample" && $2 == n { printf "%s ", $3 }' mon.out)
    [ "$mon" = "0.000001000 -0.000002000 0.000123456 -0.000000007 0.005000000 " ] ||
        die "ntpshmmon saw: $mon ($(cat mon.out))"
fi
if ipcs -m | grep -qi "^$key "; then die "segment $key left behind"; fi
echo "replayed 5 offsets (nan skipped) into SHM($unit); read back exactly"
