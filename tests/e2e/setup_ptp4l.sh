#!/bin/sh
# e2e: daemons (real daemons in private namespaces, own ports and SHM units, no verdict on
# the machine keeping time: runs beside two other daemon tests)
# ptpcal setup: every generated ptp4l.conf is accepted by linuxptp.
#  - for 3.1.1, 4.0, 4.2 and 4.4 (server and client, on an empty file and on that version's
#    default.cfg), checked against that tag's config.c option table (data/linuxptp-config,
#    re-extracted from the linuxptp mirror when it is present, to prove the copies current);
#  - for the installed linuxptp, by the real ptp4l run on it for 2 s in a namespace
#    (free_running 1 and software timestamps forced on its command line, private UDS);
#  - a config generated for 4.4 is refused by the real 3.1.1 and by the 3.1.1/4.1 tables
#    (the checks can fail);
#  - systemd units pass `systemd-analyze verify` with no warning; a second run changes
#    nothing; the user's other lines survive; the guide's time2 becomes nothing, time1 stays.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
need python3
chk="$PTPCAL_TOP/tests/e2e/linuxptp_options.py"
tabs="$PTPCAL_TOP/tests/e2e/data/linuxptp-config"
mirror="${LINUXPTP_MIRROR:-/work/.mirror/richardcochran+linuxptp/repo}"
cd "$E2E_DIR"

have_mirror=0
if git -C "$mirror" rev-parse -q --verify v4.4 >/dev/null 2>&1; then have_mirror=1; fi

# 0. the checked-in tables are what linuxptp's config.c says
if [ "$have_mirror" = 1 ]; then
    for tag in v3.1.1 v4.0 v4.1 v4.2 v4.4; do
        git -C "$mirror" show "$tag:config.c" >cfg.c
        python3 "$chk" extract cfg.c "$tag" >tab.tsv
        cmp -s tab.tsv "$tabs/$tag.tsv" || die "$tabs/$tag.tsv differs from config.c at $tag"
    done
fi

# 1. generated configs against the option table of each version
for v in 3.1.1 4.0 4.2 4.4; do
    for seed in empty default; do
        for role in server client; do
            r="root-$v-$seed-$role"
            mkdir -p "$r/etc/linuxptp"
            if [ "$seed" = default ]; then
                if [ "$have_mirror" = 1 ]; then
                    git -C "$mirror" show "v$v:configs/default.cfg" >"$r/etc/linuxptp/ptp4l.conf"
                else
                    continue
                fi
            fi
            "$PTPCAL" setup "$role" --root "$r" --linuxptp-version "$v" -q
            conf="$r/etc/linuxptp/ptp4l.conf"
            python3 "$chk" check "$tabs/v$v.tsv" "$conf" || die "$conf: refused by linuxptp $v's table"
            case "$v:$role" in
                3.*:client) grep -q '^slaveOnly 1$' "$conf" || die "3.x client without slaveOnly 1"
                            ! grep -q 'clientOnly\|ptp_minor_version' "$conf" || die "4.x option in 3.x conf" ;;
                4.0:client) grep -q '^clientOnly 1$' "$conf" || die "4.0 client without clientOnly 1"
                            ! grep -q 'ptp_minor_version\|^slaveOnly' "$conf" || die "bad 4.0 client conf" ;;
                4.[24]:client) grep -q '^clientOnly 1$' "$conf" || die "4.x client without clientOnly 1"
                               grep -q '^ptp_minor_version 0$' "$conf" || die "4.2+ client without ptp_minor_version 0" ;;
                *:server) grep -q '^clockClass 6$' "$conf" || die "server without clockClass 6"
                          grep -q '^free_running 1$' "$conf" || die "server without free_running 1" ;;
            esac
            grep -q '^fault_reset_interval ASAP$' "$conf" || die "no fault_reset_interval ASAP"
        done
    done
done
# the checker can fail: a 4.4 client conf is refused by the 4.1 and 3.1.1 tables
python3 "$chk" check "$tabs/v4.1.tsv" root-4.4-empty-client/etc/linuxptp/ptp4l.conf >neg.txt && die "4.1 table accepted ptp_minor_version"
grep -q 'unknown option ptp_minor_version' neg.txt || die "wrong refusal: $(cat neg.txt)"
python3 "$chk" check "$tabs/v3.1.1.tsv" root-4.0-empty-client/etc/linuxptp/ptp4l.conf >neg.txt && die "3.1.1 table accepted clientOnly"
grep -q 'unknown option clientOnly' neg.txt || die "wrong refusal: $(cat neg.txt)"

# 2. a second run changes nothing; the user's lines survive
r=root-4.4-empty-client
"$PTPCAL" setup client --root "$r" --linuxptp-version 4.4 --json >again.json
python3 -c 'import json,sys; d=json.load(open("again.json")); c=[f["path"] for f in d["files"] if f["changed"]]; sys.exit("changed again: %s" % c if c else 0)'
r=root-user
mkdir -p "$r/etc/linuxptp" "$r/etc/ntpsec"
printf '[global]\n# my note\nslaveOnly 0\ndomainNumber 24\n[eth1]\ndelayAsymmetry 100\n' >"$r/etc/linuxptp/ptp4l.conf"
printf 'driftfile /var/lib/ntpsec/ntp.drift\n# the guide'"'"'s calibration\nrefclock shm unit 2 refid PTP time2 0.000180 prefer\nrefclock shm unit 3 refid X\n' >"$r/etc/ntpsec/ntp.conf"
"$PTPCAL" setup client --root "$r" --linuxptp-version 4.4 >out.txt
conf="$r/etc/linuxptp/ptp4l.conf"
for l in '# my note' 'domainNumber 24' '[eth1]' 'delayAsymmetry 100'; do
    grep -qxF "$l" "$conf" || die "user line '$l' lost"
done
! grep -q '^slaveOnly' "$conf" || die "4.x conf keeps slaveOnly (its 0 would override clientOnly 1)"
ls "$r"/etc/linuxptp/ptp4l.conf.ptpcal-* >/dev/null 2>&1 || die "no backup of ptp4l.conf"
grep -qxF 'refclock shm unit 2 refid PTP prefer' "$r/etc/ntpsec/ntp.conf" || die "time2 not dropped: $(grep 'unit 2' "$r/etc/ntpsec/ntp.conf")"
grep -qxF 'refclock shm unit 3 refid X' "$r/etc/ntpsec/ntp.conf" || die "another unit's line changed"
grep -q "removed 'time2 0.000180'" out.txt || die "no note about time2"
"$PTPCAL" setup client --root "$r" --linuxptp-version 4.4 --time1 0.000180 -q
grep -qxF 'refclock shm unit 2 refid PTP prefer time1 0.000180' "$r/etc/ntpsec/ntp.conf" || die "time1 not set"
python3 "$chk" check "$tabs/v4.4.tsv" "$conf" || die "user conf refused"
# a broken existing file is refused, not rewritten
mkdir -p root-bad/etc/linuxptp
printf 'clockClass 6\n' >root-bad/etc/linuxptp/ptp4l.conf
expect_exit 2 "$PTPCAL" setup server --root root-bad --linuxptp-version 3.1.1
grep -q 'outside any section' "$ERR" || die "no reason for the refusal"
[ "$(cat root-bad/etc/linuxptp/ptp4l.conf)" = "clockClass 6" ] || die "broken file was rewritten"
# without --root and --apply nothing is written (reads the real /etc, writes nothing)
before=$(ls -la /etc/systemd/system /etc/linuxptp /etc/ntpsec 2>/dev/null | md5sum)
"$PTPCAL" setup client --iface pc$$x >noapply.txt 2>&1 || die "setup without --apply failed: $(cat noapply.txt)"
after=$(ls -la /etc/systemd/system /etc/linuxptp /etc/ntpsec 2>/dev/null | md5sum)
[ "$before" = "$after" ] || die "setup without --apply changed /etc"
grep -q 'nothing written' noapply.txt || die "no 'nothing written' notice"

# no ptp4l to ask and no --linuxptp-version: a clear refusal
mkdir -p root-nover
expect_exit 2 env PATH=/nonexistent "$PTPCAL" setup client --root root-nover
grep -q 'linuxptp-version' "$ERR" || die "no hint: $(cat "$ERR")"

# 3. systemd units
if command -v systemd-analyze >/dev/null 2>&1; then
    for role in server client; do
        r="root-units-$role"
        mkdir -p "$r"
        "$PTPCAL" setup "$role" --root "$r" --iface eth7 -q
        u="units-$role"
        mkdir -p "$u"
        cp "$r/etc/systemd/system/phc2sys@.service" "$u/phc2sys@eth7.service"
        cp "$r/etc/systemd/system/eth7-coalescence.service" "$u/"
        for f in "$u/phc2sys@eth7.service" "$u/eth7-coalescence.service"; do
            systemd-analyze verify "$f" >verify.txt 2>&1 || die "systemd-analyze verify $f: $(cat verify.txt)"
            [ ! -s verify.txt ] || die "systemd-analyze verify $f warns: $(cat verify.txt)"
        done
        # the drop-in, merged with the vendor template as systemd would
        vendor=""
        for d in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
            [ -f "$d/ptp4l@.service" ] && { vendor="$d/ptp4l@.service"; break; }
        done
        if [ -n "$vendor" ]; then
            mkdir -p "$u/up"
            cp "$vendor" "$u/up/"
            cp -r "$r/etc/systemd/system/ptp4l@eth7.service.d" "$u/up/"
            SYSTEMD_UNIT_PATH="$PWD/$u/up:" systemd-analyze verify ptp4l@eth7.service >verify.txt 2>&1 ||
                die "verify ptp4l@eth7 with the drop-in: $(cat verify.txt)"
            [ ! -s verify.txt ] || die "drop-in warns: $(cat verify.txt)"
        fi
    done
    # the verification can fail: a unit with an unknown key warns
    printf '[Unit]\nAftr=x\n' >>"$u/up/ptp4l@eth7.service.d/override.conf"
    SYSTEMD_UNIT_PATH="$PWD/$u/up:" systemd-analyze verify ptp4l@eth7.service >verify.txt 2>&1 || true
    grep -q "Unknown key" verify.txt || die "systemd-analyze did not read the drop-in"
else
    echo "systemd-analyze not installed: units not verified"
fi

# 4. the real ptp4l on the generated files
need ptp4l
netns_require_root || skip "needs root for network namespaces"
netns_trap
major=$(ptp4l_major)
ns="$NS_PREFIX-a" ns2="$NS_PREFIX-b"
netns_add "$ns"
netns_add "$ns2"
netns_veth "$ns" veth0 "$ns2" veth0
# run_ptp4l CONF NAME: ptp4l on CONF for 2 s; fails unless it parsed and reached LISTENING
run_ptp4l() {
    netns_bg "$ns" "$2.log" ptp4l -f "$1" -i veth0 -m --free_running 1 \
        --time_stamping software --uds_address "$E2E_DIR/$2.uds"
    pid=$NETNS_LAST_PID
    sleep 2
    kill -0 "$pid" 2>/dev/null || die "ptp4l exited on $1: $(cat "$2.log")"
    netns_stop "$pid"
    ! grep -Eq 'unknown option|failed to parse|bad value|out of range|malformed|deprecated' "$2.log" ||
        die "ptp4l complained about $1: $(cat "$2.log")"
    grep -q 'INITIALIZING to LISTENING' "$2.log" || die "ptp4l on $1 did not reach LISTENING: $(cat "$2.log")"
}
for role in server client; do
    for seed in empty debian; do
        r="root-real-$role-$seed"
        mkdir -p "$r/etc/linuxptp"
        [ "$seed" = debian ] && { [ -f /etc/linuxptp/ptp4l.conf ] || continue; cp /etc/linuxptp/ptp4l.conf "$r/etc/linuxptp/"; }
        "$PTPCAL" setup "$role" --root "$r" -q # version from ptp4l -v
        run_ptp4l "$r/etc/linuxptp/ptp4l.conf" "real-$role-$seed"
        echo "ptp4l $(ptp4l -v) accepted the $role conf ($seed)"
    done
done
# other transports and software time stamping (a NIC without a PHC)
for v in "--transport UDPv4" "--transport UDPv6 --time-stamping software"; do
    r="root-real-$(echo "$v" | tr -c 'a-zA-Z0-9\n' '_')"
    mkdir -p "$r"
    # shellcheck disable=SC2086
    "$PTPCAL" setup client --root "$r" -q $v
    run_ptp4l "$r/etc/linuxptp/ptp4l.conf" "real-$(basename "$r")"
    echo "ptp4l accepted the client conf with $v"
done
# and refuses one generated for another major version
if [ "$major" = 3 ]; then other=4.4; else other=3.1.1; fi
netns_bg "$ns" wrong.log ptp4l -f "$E2E_DIR/root-$other-empty-client/etc/linuxptp/ptp4l.conf" -i veth0 -m \
    --free_running 1 --time_stamping software --uds_address "$E2E_DIR/wrong.uds"
pid=$NETNS_LAST_PID
sleep 1
if kill -0 "$pid" 2>/dev/null; then die "ptp4l $(ptp4l -v) accepted a conf written for $other"; fi
grep -q 'unknown option' wrong.log || die "ptp4l refused the $other conf for another reason: $(cat wrong.log)"
echo "ptp4l $(ptp4l -v) refused the conf written for $other: $(grep 'unknown option' wrong.log | head -n 1)"
