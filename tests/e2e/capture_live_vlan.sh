#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# PTP inside an 802.1Q tag, live: captured, decoded with its tag and paired. (This kernel
# has no 8021q module for ptp4l on a VLAN subinterface, so) frames of the bundled real
# capture are re-sent with a VLAN 100 tag through a veth pair in lab namespaces, their PTP
# times shifted to today (tests/tools/pcapinject); the capture at the other end must see
# all of them tagged and pair them. Note: Linux moves a received tag out of the frame
# (skb_vlan_untag) before packet taps, so the kernel filter sees it untagged and libpcap
# puts it back into the copy we read; the filter's `vlan` clause matters where the tag
# stays in the data.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for network namespaces"
tools="$PTPCAL_TOP/build/tests/tools"
[ -x "$tools/pcapinject" ] || skip "build/tests/tools/pcapinject not built (make e2e builds it)"
netns_trap
cd "$E2E_DIR"
chmod 755 "$E2E_DIR"
# The first 400 frames of the real capture, tagged: VLAN 100 inserted after the MACs.
python3 - "$PTPCAL_TOP/datasets/direct-l2-30s.pcap" tagged.pcap <<'PY'
import struct, sys
src = open(sys.argv[1], "rb").read()
magic = src[:4]
e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
out = [src[:24]]
off, n = 24, 0
while off + 16 <= len(src) and n < 400:
    ts1, ts2, incl, orig = struct.unpack(e + "IIII", src[off:off + 16])
    data = src[off + 16:off + 16 + incl]
    off += 16 + incl
    if data[12:14] != b"\x88\xf7":
        continue
    data = data[:12] + b"\x81\x00\x00\x64" + data[12:]
    out.append(struct.pack(e + "IIII", ts1, ts2, incl + 4, orig + 4) + data)
    n += 1
open(sys.argv[2], "wb").write(b"".join(out))
print(n, "tagged frames")
PY
a="$NS_PREFIX-a" b="$NS_PREFIX-b"
netns_add "$a"
netns_add "$b"
netns_veth "$a" veth0 "$b" veth0
netns_bg "$b" capture.log "$PTPCAL" capture -i veth0 -o "$E2E_DIR/live" --tstamp host --messages
cap=$NETNS_LAST_PID
sleep 1
ip netns exec "$a" "$tools/pcapinject" veth0 tagged.pcap 400
sleep 0.5
kill -INT "$cap"
set +e
wait "$cap"
rc=$?
set -e
cat capture.log
[ "$rc" = 0 ] || die "capture exited $rc"
frames=$(sed -n 's/^# packets: //p' live/exchanges.tsv)
[ "$frames" = 400 ] || die "captured $frames of the 400 tagged frames"
tagged=$(awk -F'\t' '/^#/ { next } !c { for (i = 1; i <= NF; i++) if ($i == "vlan") c = i; next } $c == "100" { t++ } END { print t + 0 }' live/messages.tsv)
[ "$tagged" = 400 ] || die "$tagged of 400 messages carry VLAN 100"
# The same frames decoded from the file (untagged) pair into as many exchanges.
n=$(grep -c '^[0-9]' live/exchanges.tsv || true)
[ "$n" -ge 50 ] || die "only $n exchanges from the tagged frames"
echo "VLAN 100: $tagged tagged messages, $n exchanges"
