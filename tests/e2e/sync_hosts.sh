#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal sync --server/--client for real hosts, without touching the system:
#  - the plan (no --apply) from a staged --root: the units of the installed packages, the
#    order (client: ptp4l@IF -> ntpsec -> phc2sys@IF; server: gpsd -> ntpsec -> ptp4l@IF ->
#    phc2sys@IF), ptp4l.conf checked against the linuxptp version (slaveOnly for 3.x,
#    clientOnly for 4.x), a missing unit named; --apply refuses to start on a problem;
#  - --apply with a fake systemctl on PATH recording the calls (its "phc2sys" is
#    `ptpcal shm write`), a fake ntpq, and a real grandmaster + client ptp4l in namespaces:
#    every stage is waited for in order (portState SLAVE from the real ptp4l, SHM ticking,
#    the system peer), then capture -> analyze -> calibrate (--known-offset: both ptp4l share
#    this host's clock) -> verify; without a reference, calibrate is refused with the reason;
#  - a stage that never comes up times out and nothing after it is started.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need ptp4l
need python3
cd "$E2E_DIR"

# --- the plan from a staged root ---
mkroot() {
    mkdir -p "$1/lib/systemd/system"
    for u in ptp4l@ phc2sys@ ntpsec gpsd; do
        printf '[Service]\nExecStart=/bin/true %s\n' "$u" >"$1/lib/systemd/system/$u.service"
    done
}
mkroot r3
"$PTPCAL" setup client --root r3 -i eth9 --linuxptp-version 3.1.1 -q >/dev/null 2>&1 ||
    "$PTPCAL" setup client --root r3 -i eth9 --linuxptp-version 3.1.1 >/dev/null
expect_exit 0 "$PTPCAL" sync --client --root r3 -i eth9 --linuxptp-version 3.1.1
cp stdout.txt plan3.txt
cat plan3.txt
grep -q '^problem' plan3.txt && die "problems in a clean plan"
# the commands in order
grep -E '^  [0-9]+\. systemctl' plan3.txt | sed 's/^ *[0-9]*\. //' >cmds3.txt
printf 'systemctl daemon-reload\nsystemctl start eth9-coalescence.service\nsystemctl restart ptp4l@eth9.service\nsystemctl restart ntpsec.service\nsystemctl restart phc2sys@eth9.service\n' >want3.txt
diff want3.txt cmds3.txt || die "client plan order"
grep -q 'portState SLAVE on /var/run/ptp4l (timeout' plan3.txt || die "no SLAVE-only wait"
grep -q 'calibrate (refused: no reference)' plan3.txt || die "no calibrate refusal in the plan"
# JSON plan
"$PTPCAL" sync --client --root r3 -i eth9 --linuxptp-version 3.1.1 --json >plan3.json
python3 - <<'PY'
import json
d = json.load(open("plan3.json"))
assert d["schema"] == "ptpcal-sync-plan/1", d
assert d["units"]["ptp4l@.service"] == "/lib/systemd/system/ptp4l@.service", d["units"]
assert d["units"]["eth9-coalescence.service"] == "/etc/systemd/system/eth9-coalescence.service", d["units"]
assert d["problems"] == [], d["problems"]
assert [s["command"] for s in d["steps"]][2] == "systemctl restart ptp4l@eth9.service"
PY
# the same 3.x-spelled conf under linuxptp 4.2: slaveOnly is the wrong spelling
expect_exit 0 "$PTPCAL" sync --client --root r3 -i eth9 --linuxptp-version 4.2
grep -q "problem: .*ptp4l.conf: 'slaveOnly' is not what linuxptp 4.2.0 expects ('clientOnly')" stdout.txt ||
    die "no version problem: $(cat stdout.txt)"
mkdir bin
cat >bin/systemctl <<SH
#!/bin/sh
echo "\$*" >>"$E2E_DIR/calls.log"
case "\$*" in
"restart phc2sys@"*) "$PTPCAL" shm write --unit \$(cat "$E2E_DIR/unit") --interval 0.2s --duration 40s >"$E2E_DIR/shmw.log" 2>&1 &
    echo \$! >"$E2E_DIR/shmw.pid" ;;
esac
exit 0
SH
chmod +x bin/systemctl
expect_exit 1 env PATH="$E2E_DIR/bin:$PATH" "$PTPCAL" sync --client --root r3 -i eth9 --linuxptp-version 4.2 --apply
[ -e calls.log ] && die "systemctl called despite a problem: $(cat calls.log)"
grep -q 'not started' "$ERR" || die "no refusal: $(cat "$ERR")"
# 4.2 setup: clean
mkroot r4
"$PTPCAL" setup client --root r4 -i eth9 --linuxptp-version 4.2 >/dev/null
expect_exit 0 "$PTPCAL" sync --client --root r4 -i eth9 --linuxptp-version 4.2
grep -q '^problem' stdout.txt && die "problems with a 4.2 setup: $(cat stdout.txt)"
# server order; missing unit named
rm r4/lib/systemd/system/ptp4l@.service
expect_exit 0 "$PTPCAL" sync --server --root r4 -i eth9 --linuxptp-version 4.2
cat stdout.txt
grep -E '^  [0-9]+\. systemctl' stdout.txt | sed 's/^ *[0-9]*\. //' >cmdsS.txt
printf 'systemctl daemon-reload\nsystemctl restart gpsd.service\nsystemctl restart ntpsec.service\nsystemctl start eth9-coalescence.service\nsystemctl restart ptp4l@eth9.service\nsystemctl restart phc2sys@eth9.service\n' >wantS.txt
diff wantS.txt cmdsS.txt || die "server plan order"
grep -q 'problem: ptp4l@.service: not installed' stdout.txt || die "missing unit not named"
expect_exit 2 "$PTPCAL" sync --client --apply --dry-run
expect_exit 2 "$PTPCAL" sync --client --server
expect_exit 2 "$PTPCAL" sync --client --layer x
echo "plans: ok"

# --- --apply against real ptp4l in namespaces, systemctl and ntpq faked ---
netns_require_root || skip "needs root for network namespaces (the plan tests passed)"
netns_trap
gm="$NS_PREFIX-gm" cl="$NS_PREFIX-cl"
netns_add "$gm"
netns_add "$cl"
netns_veth "$gm" veth0 "$cl" veth0
PTP4L_UDS="$E2E_DIR/gm.uds" ptp4l_conf gm L2 >gm.conf
PTP4L_UDS="$E2E_DIR/cl.uds" ptp4l_conf client L2 >cl.conf
netns_bg "$gm" gm.log ptp4l -m -f gm.conf -i veth0
netns_bg "$cl" cl.log ptp4l -m -f cl.conf -i veth0
unit=$(( 100 + $$ % 50 )) # 100..149: its own band (tests run beside each other)
echo $unit >unit
printf '     remote           refid      st t when poll reach   delay   offset   jitter\n=======\n*SHM(%d)          .PTP.            0 l    4   16  377   0.0000   0.0012   0.0008\n' $unit >ntpq.txt
printf '#!/bin/sh\ncat "%s/ntpq.txt"\n' "$E2E_DIR" >bin/ntpq
chmod +x bin/ntpq
mkroot r5
"$PTPCAL" setup client --root r5 -i veth0 >/dev/null
# the lab's ptp4l is free_running (never adjusts this host's clock): its port stays
# UNCALIBRATED (linuxptp clock.c clock_no_adjust), which sync accepts only when the
# ptp4l.conf it reads says free_running
sed -i 's/^\[global\]$/[global]\nfree_running 1/' r5/etc/linuxptp/ptp4l.conf
grep -q '^free_running 1' r5/etc/linuxptp/ptp4l.conf || die "no free_running in r5"
run_sync() {
    set +e
    ip netns exec "$cl" env PATH="$E2E_DIR/bin:$PATH" "$PTPCAL" sync --client --root r5 -i veth0 \
        -s "$E2E_DIR/cl.uds" --shm-unit $unit --apply --stage-timeout 20s -d 5s "$@" >sync.out 2>sync.err
    rc=$?
    set -e
    # the fake phc2sys (started by the fake systemctl, not our child): stop it by its PID
    if [ -e shmw.pid ]; then kill "$(cat shmw.pid)" 2>/dev/null || true; rm -f shmw.pid; fi
    cat sync.out sync.err
}
run_sync -o run1 --known-offset 0:5us --force
[ "$rc" = 0 ] || [ "$rc" = 1 ] || die "sync exit $rc"
printf 'daemon-reload\nstart veth0-coalescence.service\nrestart ptp4l@veth0.service\nrestart ntpsec.service\nrestart phc2sys@veth0.service\n' >want5.txt
diff want5.txt calls.log || die "systemctl calls"
grep -q 'or UNCALIBRATED: free_running 1' sync.out || die "free_running not seen"
grep -Eq 'up after .*portState (SLAVE|UNCALIBRATED)' sync.out || die "ptp4l stage not seen up"
grep -q 'up after .*PASS unit '$unit' ticking' sync.out || die "SHM stage not seen up"
grep -q 'up after .*system peer SHM('$unit')' sync.out || die "ntpsec stage not seen up"
grep -q 'time error before: mean offset' sync.out || die "no time error"
grep -Eq '^  bias [-+][0-9]+ ns .*against' sync.out || die "no calibration"
grep -q "delayAsymmetry" sync.out || die "no ptp4l correction emitted"
grep -q "refclock shm unit $unit refid PTP" sync.out || die "the ntpsec line is not for our SHM unit"
grep -Eq '^(PASS|FAIL|SKIP|WARN)' sync.out || grep -Eq '(PASS|FAIL|SKIP) +management' sync.out || die "no verify lines"
rm calls.log
# --apply-correction: calibrate --apply edits the (staged) ptp4l.conf, ptp4l@ is restarted
# (the fake systemctl records it), every stage from there waited for again, measured again
run_sync -o run1b --known-offset 0:5us --force --apply-correction
grep -q '^delayAsymmetry -\{0,1\}[0-9]' r5/etc/linuxptp/ptp4l.conf || die "no delayAsymmetry applied: $(cat r5/etc/linuxptp/ptp4l.conf)"
ls r5/etc/linuxptp/ptp4l.conf.ptpcal-* >/dev/null 2>&1 || die "no backup of the edited ptp4l.conf"
[ "$(grep -c '^restart ptp4l@veth0.service' calls.log)" = 2 ] || die "ptp4l@ not restarted: $(cat calls.log)"
grep -q 'time error after: .*(before' sync.out || die "no measurement after the correction"
[ -s run1b/after/exchanges.tsv ] || die "no capture after the correction"
rm calls.log
run_sync -o run2 --json
grep -q 'calibrate refused: no reference' sync.err || die "calibrate not refused without a reference"
python3 - <<'PY' || die "sync --json summary: $(cat sync.out)"
import json, math
d = json.load(open("sync.out"))  # stdout holds the summary only; progress and verify on stderr
assert d["schema"] == "ptpcal-sync/1" and d["mode"] == "client", d
assert d["stages_up"] is True and d["calibrate"] == "refused", d
assert abs(d["mean_offset_before_ns"]) < 100000, d
assert d["correction_applied"] is False and d["mean_offset_after_ns"] is None, d
assert d["verify_exit"] in (0, 1), d
PY
grep -q '^PASS management' sync.err || die "verify's lines not on stderr under --json"
rm calls.log
# a stage that never comes up: ntpsec's peer is not the PTP refclock
printf '*192.0.2.7       .GPS.            1 u   33   64  377   0.3120   0.0200   0.0100\n' >ntpq.txt
run_sync -o run3 --stage-timeout 4s
[ "$rc" = 1 ] || die "a stage timed out but exit $rc"
grep -q 'not the PTP refclock' sync.out || die "no reason while waiting"
grep -q 'not up after' sync.err || die "no timeout message"
[ -e run3/before ] && die "captured after a failed stage"
echo "apply: ok"
