#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# ptpcal doctor on staged trees with recorded command outputs:
#  - a tree holding every mistake of the guide's troubleshooting section: each check fails,
#    naming the file and line (or the command) and a fix;
#  - the tree `ptpcal setup client` writes (over Debian's files) is clean: exit 0;
#  - bad usage exits 2.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
cd "$E2E_DIR"
J="python3 -c"

# --- the broken tree ---------------------------------------------------------------------
R=bad O=bad-out
mkdir -p $R/etc/linuxptp $R/etc/ntpsec $R/lib/systemd/system $R/usr/lib/systemd/system \
    $R/etc/systemd/system/multi-user.target.wants $R/etc/systemd/system/phc2sys@.service.d \
    $R/usr/share/zoneinfo $O
cat >$R/etc/linuxptp/ptp4l.conf <<'CONF'
[global]
clientOnly 1
free_running 1
ptp_minor_version 0
clock_servo ntpshm
network_transport L2
time_stamping hardware
CONF
printf '[Unit]\nDescription=PTP for %%I\n\n[Service]\nExecStart=/usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i %%I\n' \
    >$R/lib/systemd/system/ptp4l@.service
printf '[Unit]\nDescription=phc2sys\nRequires=ptp4l.service\nAfter=ptp4l.service\n\n[Service]\nExecStart=/usr/sbin/phc2sys -w -s %%I\n' \
    >$R/lib/systemd/system/phc2sys@.service
printf '[Unit]\nConflicts=chronyd.service ntpd.service phc2sys.service ptp4l.service\n' \
    >$R/lib/systemd/system/timemaster.service
printf '[Unit]\nDescription=old ptp4l\n[Service]\nExecStart=/usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i eth0\n' \
    >$R/usr/lib/systemd/system/ptp4l.service
ln -s ../../../../usr/lib/systemd/system/ptp4l.service $R/etc/systemd/system/multi-user.target.wants/ptp4l.service
printf '[Unit]\nRequires=\nAfter=\n\n[Service]\nExecStart=\nExecStart=/usr/sbin/phc2sys -s %%I -E ntpshm -M 2 -w\n' \
    >$R/etc/systemd/system/phc2sys@.service.d/override.conf
printf '[Unit]\nDescription=x\nAfter=network.target ptp4l.service\n' >$R/etc/systemd/system/gps-helper.service
printf 'driftfile /var/lib/ntpsec/ntp.drift\nrefclock shm unit 0 refid PTP time2 0.000180\n' >$R/etc/ntpsec/ntp.conf
cat >$O/ps.txt <<'PS'
    PID COMMAND
      1 /sbin/init
    401 /usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i eth0
    402 /usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i eth0
    410 /usr/sbin/phc2sys -s eth0 -E ntpshm -M 2 -w
PS
printf 'Time stamping parameters for eth0:\nCapabilities:\n\thardware-transmit\n\thardware-receive\n\thardware-raw-clock\nPTP Hardware Clock: 0\nHardware Transmit Timestamp Modes:\n\toff\n\ton\nHardware Receive Filter Modes:\n\tnone\n\tptpv2-l4-event\n' \
    >$O/ethtool-T-eth0.txt
printf 'Coalesce parameters for eth0:\nrx-usecs: 50\nrx-frames: n/a\ntx-usecs: 50\n' >$O/ethtool-c-eth0.txt
printf 'driver: bcmgenet\nversion: 6.1.0-rpi7-rpi-v8\nbus-info: fd580000.ethernet\n' >$O/ethtool-i-eth0.txt
printf '??5??????   /usr/sbin/ptp4l\n??5?????? c /etc/linuxptp/ptp4l.conf\nmissing     /usr/sbin/pmc\n' >$O/dpkg-V-linuxptp.txt

expect_exit 1 "$PTPCAL" doctor --root $R --outputs $O --linuxptp-version 3.1.1 --json
cp "$E2E_DIR/stdout.txt" bad.json
"$PTPCAL" doctor --root $R --outputs $O --linuxptp-version 3.1.1 >bad.txt || true
# expect ID WHERE-SUBSTRING MESSAGE-SUBSTRING: a finding of check ID with both substrings
expect() {
    $J 'import json,sys
d = json.load(open("bad.json"))
cid, where, msg = sys.argv[1:4]
c = [c for c in d["checks"] if c["id"] == cid]
if not c: sys.exit("no check " + cid)
c = c[0]
if c["status"] not in ("FAIL", "WARN"): sys.exit("%s is %s" % (cid, c["status"]))
ok = [f for f in c["findings"] if where in (f["where"] or "") and msg in f["message"] and f["fix"]]
sys.exit(0 if ok else "%s: no finding at %r with %r and a fix: %s" % (cid, where, msg, c["findings"]))' "$@" || die "$*"
}
expect duplicate-ptp4l "process 401" "also runs as 402"
expect stray-units "/usr/lib/systemd/system/ptp4l.service" "non-templated unit file"
expect stray-units "/etc/systemd/system/multi-user.target.wants/ptp4l.service" "is enabled"
expect stray-units "/etc/systemd/system/gps-helper.service:3" "ptp4l.service"
expect dropin-resets "/etc/systemd/system/phc2sys@.service.d/override.conf:2" "empty Requires="
expect dropin-resets "/etc/systemd/system/phc2sys@.service.d/override.conf:3" "empty After="
expect phc2sys-override "/lib/systemd/system/phc2sys@.service:3" "ptp4l.service"
expect ptp4l-conf "/etc/linuxptp/ptp4l.conf:2" "clientOnly is unknown to linuxptp 3.1.1"
expect ptp4l-conf "/etc/linuxptp/ptp4l.conf:4" "ptp_minor_version is unknown"
expect ptp4l-conf "/etc/linuxptp/ptp4l.conf:3" "never disciplines its PHC"
expect ntpshm-servo "/etc/linuxptp/ptp4l.conf:5" "ntpshm servo"
expect transport-filters "/etc/linuxptp/ptp4l.conf:6" "ptpv2l4event"
expect coalescence "ethtool -c eth0" "rx-usecs 50"
expect leapfile "/etc/ntpsec/ntp.conf" "no leapfile"
expect shm-refclock "/etc/ntpsec/ntp.conf:2" "time2 0.000180 does nothing"
expect shm-refclock "phc2sys@.service.d/override.conf" "writes SHM segment 2"
expect dpkg-verify "/usr/sbin/ptp4l" "modified in place"
expect dpkg-verify "/usr/sbin/pmc" "missing"
expect ptp4l-startup "ptp4l@eth0.service" "network-online.target"
expect ptp4l-startup "ptp4l@eth0.service" "no Restart="
expect tx-timestamp-timeout "/etc/linuxptp/ptp4l.conf" "driver bcmgenet returns TX time stamps slowly"
# the harmless ones are not findings
! grep -q 'timemaster' bad.json || die "timemaster's Conflicts= reported"
! grep -q '/etc/linuxptp/ptp4l.conf.*modified' bad.json || die "the conffile reported"
grep -q '^FAIL duplicate-ptp4l' bad.txt || die "text output: $(head bad.txt)"
grep -q 'fix: ' bad.txt || die "text output has no fixes"
# no PHC at all
printf 'Time stamping parameters for eth0:\nPTP Hardware Clock: none\nHardware Transmit Timestamp Modes: none\nHardware Receive Filter Modes: none\n' \
    >$O/ethtool-T-eth0.txt
"$PTPCAL" doctor --root $R --outputs $O --linuxptp-version 3.1.1 --json >bad.json || true
expect phc "/etc/linuxptp/ptp4l.conf:7" "PTP Hardware Clock: none"

# --- the tree ptpcal setup writes is clean -----------------------------------------------
R=good O=good-out
mkdir -p $R/etc/linuxptp $R/etc/ntpsec $R/lib/systemd/system $R/usr/share/zoneinfo $O
for u in ptp4l@.service phc2sys@.service timemaster.service; do
    if [ -f /lib/systemd/system/$u ]; then cp /lib/systemd/system/$u $R/lib/systemd/system/; fi
done
[ -f bad/lib/systemd/system/phc2sys@.service ] && [ ! -f $R/lib/systemd/system/phc2sys@.service ] &&
    cp bad/lib/systemd/system/phc2sys@.service $R/lib/systemd/system/
printf '[global]\nslaveOnly 0\n' >$R/etc/linuxptp/ptp4l.conf
printf 'driftfile /var/lib/ntpsec/ntp.drift\nleapfile /usr/share/zoneinfo/leap-seconds.list\n' >$R/etc/ntpsec/ntp.conf
printf '#$ 3950000000\n#@ 4100000000\n2272060800 10\n3692217600 37\n' >$R/usr/share/zoneinfo/leap-seconds.list
"$PTPCAL" setup client --root $R --linuxptp-version 3.1.1 -q
printf '  PID COMMAND\n  401 /usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i eth0\n  410 /usr/sbin/phc2sys -s eth0 -E ntpshm -M 2 -w -q\n' >$O/ps.txt
printf 'Time stamping parameters for eth0:\nPTP Hardware Clock: 0\nHardware Transmit Timestamp Modes:\n\toff\n\ton\nHardware Receive Filter Modes:\n\tnone\n\tall\n' \
    >$O/ethtool-T-eth0.txt
printf 'Coalesce parameters for eth0:\nrx-usecs: 4\ntx-usecs: 4\n' >$O/ethtool-c-eth0.txt
printf 'driver: macb\n' >$O/ethtool-i-eth0.txt
printf '??5?????? c /etc/linuxptp/ptp4l.conf\n' >$O/dpkg-V-linuxptp.txt
"$PTPCAL" doctor --root $R --outputs $O --linuxptp-version 3.1.1 >good.txt || die "setup's tree is not clean: $(grep -v '^PASS' good.txt)"
cat good.txt
! grep -q '^FAIL\|^WARN' good.txt || die "findings on a clean tree"
# without --outputs, command checks are skipped with the reason, not failed
"$PTPCAL" doctor --root $R --linuxptp-version 3.1.1 >skip.txt || die "skips made it fail"
grep -q '^SKIP coalescence.*staging tree' skip.txt || die "no skip reason: $(cat skip.txt)"

# the leap file expired, and ptp4l announcing another UTC offset than the file's
cp -r good stale
printf '#$ 3900000000\n#@ 3950000000\n2272060800 10\n3692217600 37\n' >stale/usr/share/zoneinfo/leap-seconds.list
"$PTPCAL" doctor --root stale --outputs $O --linuxptp-version 3.1.1 --json >bad.json && die "expired leap file passed"
expect leapfile "/etc/ntpsec/ntp.conf:2" "expired on 2025-03-03"
cp good/usr/share/zoneinfo/leap-seconds.list stale/usr/share/zoneinfo/
printf '[global]\nutc_offset 36\n' >>stale/etc/linuxptp/ptp4l.conf
"$PTPCAL" doctor --root stale --outputs $O --linuxptp-version 3.1.1 --json >bad.json && die "utc_offset 36 passed"
expect utc-offset "/etc/linuxptp/ptp4l.conf:" "announces currentUtcOffset 36 but"

# --- usage ---------------------------------------------------------------------------------
expect_exit 2 "$PTPCAL" doctor --root "$E2E_DIR/nonexistent"
expect_exit 2 "$PTPCAL" doctor --bogus
expect_exit 2 "$PTPCAL" doctor --linuxptp-version x.y
expect_exit 0 "$PTPCAL" doctor --help
