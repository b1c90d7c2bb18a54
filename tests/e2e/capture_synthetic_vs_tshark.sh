#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# Every PTP message type in every encapsulation (Ethernet, 802.1Q, 802.1ad+Q, UDPv4, UDPv6,
# Linux cooked SLL and SLL2; pcap and pcapng; one-step and two-step; sub-ns corrections),
# decoded by ptpcal and by tshark: every field and every exchange must agree exactly.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need tshark
mkpcap="$PTPCAL_TOP/build/tests/tools/mkpcap"
cmp="$PTPCAL_TOP/tests/e2e/ptp_compare.py"
cd "$E2E_DIR"
for variant in "en10mb pcap" "sll pcap" "sll2 pcapng" "en10mb pcapng"; do
    set -- $variant
    f="syn-$1.$2"
    flag=""; [ "$2" = pcapng ] && flag=--pcapng
    "$mkpcap" "$f" --link "$1" $flag --seed 42 --exchanges 40
    "$PTPCAL" capture -r "$f" -o "$f.ex.tsv" --messages "$f.msg.tsv" --json >"$f.json"
    python3 "$cmp" tshark-messages "$f" "$f.msg.tsv"
    python3 "$cmp" tshark-exchanges "$f" "$f.ex.tsv"
    # the JSON summary parses and agrees with the dataset
    python3 - "$f.json" "$f.ex.tsv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
rows = sum(1 for l in open(sys.argv[2]) if l[0].isdigit())
assert s["exchanges"] == rows, (s["exchanges"], rows)
assert s["malformed"] == 0 and s["ptp"] == s["packets"], s
assert s["sessions"][0]["exchanges"] == rows
print("json summary:", s["exchanges"], "exchanges,", s["ptp"], "PTP messages")
PY
done
echo "synthetic captures agree with tshark"
