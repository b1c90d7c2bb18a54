#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# Live capture refusals: each is one line on stderr naming the interface/option/file, exit
# 2, and nothing written where nothing should be.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to open a capture on lo"
cd "$E2E_DIR"
one_line() { [ "$(wc -l <"$ERR")" = 1 ] || die "not one line: $(cat "$ERR")"; grep -q "$1" "$ERR" || die "stderr lacks '$1': $(cat "$ERR")"; }

expect_exit 2 "$PTPCAL" capture -i ptpcalnosuch0 -o out1
one_line "ptpcalnosuch0: no such interface"
[ ! -e out1 ] || die "a missing interface still created the output directory"

# lo has no hardware timestamps: asking for them is refused, unless host is allowed.
expect_exit 2 "$PTPCAL" capture -i lo --tstamp hw -o out2
one_line "lo: no adapter timestamps"
expect_exit 2 "$PTPCAL" capture -i lo --tstamp hw-unsynced -o out2
one_line "lo: no adapter_unsynced timestamps"
[ ! -e out2 ] || die "a refused capture created the output directory"

expect_exit 2 "$PTPCAL" capture -i lo --tstamp gps
one_line "tstamp"
expect_exit 2 "$PTPCAL" capture -i lo --rotate 10q
one_line "rotate"
expect_exit 2 "$PTPCAL" capture -i lo --user ptpcal-no-such-user
one_line "ptpcal-no-such-user: no such user"
expect_exit 2 "$PTPCAL" capture -i lo --filter "this is not bpf" -o out3
one_line "filter"

# Never overwrite an earlier capture.
mkdir used
echo x >used/exchanges.tsv
expect_exit 2 "$PTPCAL" capture -i lo -o used --tstamp host --duration 1
one_line "used/exchanges.tsv: exists"
[ "$(cat used/exchanges.tsv)" = x ] || die "an earlier exchanges.tsv was overwritten"

# Allowed fallback: a short run on lo with --duration, files complete, metadata host.
"$PTPCAL" capture -q -i lo --tstamp hw-unsynced --allow-host-timestamps --duration 1 -o ok 2>err.txt
grep -q '^# timestamp_source: host$' ok/exchanges.tsv || die "fallback not recorded as host"
grep -q '^# timestamp_requested: hw-unsynced$' ok/exchanges.tsv || die "request not recorded"
grep -q '^# stop_reason: duration$' ok/exchanges.tsv || die "no trailing metadata"
"$PTPCAL" capture -q -r ok/capture-0001.pcapng -o /dev/null || die "the pcapng is unreadable"
# Rotation by time, after dropping root: the later files are created by nobody.
"$PTPCAL" capture -q -i lo --tstamp host --rotate 1s --duration 2.5 -o rot 2>/dev/null || die "--rotate 1s failed"
nf=$(ls rot/capture-*.pcapng | wc -l)
[ "$nf" -ge 2 ] || die "--rotate 1s over 2.5 s made $nf file(s)"
[ "$(stat -c %U rot/capture-0002.pcapng)" = nobody ] || die "rotated file not created as nobody"
# The same into a directory under a mode-0700 parent (nobody cannot resolve its path: the
# files after the drop are created through the directory's descriptor, not by path).
mkdir -m 700 private
"$PTPCAL" capture -q -i lo --tstamp host --rotate 2s --duration 6.5 -o private/out 2>rot700.err ||
    die "--rotate 2s under a 0700 parent failed: $(cat rot700.err)"
nf=$(ls private/out/capture-*.pcapng | wc -l)
[ "$nf" -ge 3 ] || die "--rotate 2s over 6.5 s under a 0700 parent made $nf file(s)"
for f in private/out/*; do
    [ "$(stat -c %U "$f")" = nobody ] || die "$f is $(stat -c %U "$f")'s, not the capture user's"
done
echo "under a 0700 parent: $nf rotated files, created as nobody"
# An existing directory nobody may not write to cannot take rotated files: refused.
mkdir rootonly
chmod 755 rootonly
expect_exit 2 "$PTPCAL" capture -i lo --tstamp host --rotate 1s --duration 1 -o rootonly
one_line "rootonly: user nobody cannot add files to it"
[ -z "$(ls rootonly)" ] || die "a refused capture left files: $(ls rootonly)"
# Not root, but given CAP_NET_RAW (as with setcap on the binary): it captures, then keeps
# no capability (checked in /proc while it runs).
if command -v setpriv >/dev/null; then
    mkdir capdir
    chown nobody capdir
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --inh-caps=+net_raw \
        --ambient-caps=+net_raw "$(world_ptpcal)" capture -q -i lo --tstamp host --duration 2 -o capdir/out &
    pid=$!
    sleep 1
    capeff=$(awk '/^CapEff:/ {print $2}' /proc/$pid/status)
    capprm=$(awk '/^CapPrm:/ {print $2}' /proc/$pid/status)
    wait $pid || die "capture with CAP_NET_RAW as nobody failed"
    [ "$capeff$capprm" = 00000000000000000000000000000000 ] || die "kept capabilities: $capeff $capprm"
    grep -q '^# run_as: nobody .*no capabilities$' capdir/out/exchanges.tsv || die "run_as: $(grep run_as capdir/out/exchanges.tsv)"
fi
# "any" (Linux cooked: no VLAN tags in the data, so the filter without the vlan clause).
"$PTPCAL" capture -q -i any --tstamp host --duration 1 -o any 2>/dev/null || die "-i any failed"
grep -q '^# bpf_filter: ether proto 0x88f7 or udp port 319 or udp port 320$' any/exchanges.tsv ||
    die "-i any: unexpected filter $(grep bpf_filter any/exchanges.tsv)"
# --json: the summary says which timestamps and who it ran as.
"$PTPCAL" capture -q -i lo --tstamp host --duration 1 -o js --json >js.json 2>/dev/null
python3 - js.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["interface"] == "lo" and j["timestamp_type"] == "host", j
assert j["run_as"] == "nobody" and j["stop_reason"] == "duration" and j["capture_files"] == 1, j
PY
# SIGTERM ends a run cleanly (exit 0, trailing metadata written).
"$PTPCAL" capture -q -i lo --tstamp host -o term 2>term.err &
pid=$!
sleep 1
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
[ "$rc" = 0 ] || die "SIGTERM: exit $rc ($(cat term.err))"
grep -q '^# stop_reason: signal$' term/exchanges.tsv || die "SIGTERM: no trailing metadata"
echo "refusals: one line, exit 2; fallback recorded; --json; SIGTERM clean"
