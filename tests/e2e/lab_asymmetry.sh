#!/bin/sh
# The lab end to end: real ptp4l (installed version, free_running 1, software timestamps)
# through ptpcal's emulated switch, with known injected asymmetry.
#
# IEEE 1588 predicts the offset a free-running slave measures (offset = slave - master):
#     offset = theta + (d_ms - d_sm)/2,    theta = 0 here (every namespace reads one clock)
# so +200 us of asymmetry (d_ms - d_sm) must read +100 us and -150 us must read -75 us.
# d_ms and d_sm are taken from the switch's own per-frame log (exact, one clock: what the
# switch really did, including its scheduling error), exchange by exchange, by
# `ptpcal lab replay`. With a transparent clock the correction it adds is subtracted.
#
# Where the floor belongs: the capture at the client stamps each Delay_Req a few us before
# ptp4l's own transmit timestamp (docs/errata.md item 9), so every capture-based offset reads
# a few us low even at zero asymmetry. That floor is the measuring instrument's, not the
# path's, so it belongs in the prediction of what the CAPTURE reads: it is measured in the
# same run on a client with zero injected asymmetry (cl1) and added. ptp4l's own offsets
# have no such floor and are compared with the bare prediction.
#
# Two tiers (issue 12). make check: every verdict compares with the realised truth of the run
# (the switch's per-frame log) at a level set by the run's own measured noise, for a false-
# failure rate below 1e-3 per comparison: z = 3.29 on the intervals, plus an allowance for
# the capture taps' client-to-client floor differences: the floor switches between states a
# few us apart on each client on its own, so the allowance is the span of the states the run
# shows, p10..p90 of both clients' per-exchange floors (3-5 us; differences seen up to 1.6 us,
# lab_asymmetry_check.py), never below 0.5 us. A run whose switch could not keep time is
# repeated once, then skipped with the figure (lab_check). LAB_TIGHT=1 (make lab-check) adds
# the honesty checks that need a quiet machine and repetition: the floors' chi-square (99 %)
# with the fixed 0.5 us allowance, and each interval against the spread of five segment
# means (ratio 1/3..3: about 2 % false failures per client even when honest, so it belongs
# to a tier that counts coverage over repeated runs).
#
# Run A: L2, cl1 symmetric, cl2 +200 us, cl3 -150 us, cl4 600 us of asymmetry behind a
# one-step transparent clock (bias ~ 0). Run B: UDPv4, cl1 symmetric, cl2 a two-step TC,
# cl3 a faulty TC (writes 0.9 x the residence); validate-switch must pass cl2 and fail cl3,
# from the switch log and from two-point captures.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
netns_require_root || skip "needs root for network namespaces"
need ptp4l
need tcpdump
need python3
cd "$E2E_DIR"
chmod 755 "$E2E_DIR"


run_a() { # DIR
    "$PTPCAL" lab run -q -n "${NS_PREFIX}a$(basename "$1" | tr -dc 0-9)" -o "$1/l2" -d 45s --seed 11 \
        --client --fwd 400us --rev 400us \
        --client --fwd 600us --rev 400us \
        --client --fwd 500us --rev 650us \
        --client --fwd 900us --rev 300us --tc one-step
    ! ip netns list | grep -q "^${NS_PREFIX}a" || die "namespaces of run A left behind"
    rc=0
    "$PTPCAL" lab replay --json "$1/l2" >"$1/l2.json" || rc=$?
    [ $rc -le 1 ] || die "lab replay failed on run A (exit $rc)"
    grep -q '^# injected_asymmetry_ns: 200000' "$1/l2/cl2/exchanges.tsv" || die "no truth in cl2's exchanges"
    grep -q '^# truth_offset_ns: 0' "$1/l2/manifest.tsv" || die "no truth in the manifest"
    python3 "$PTPCAL_TOP/tests/e2e/lab_asymmetry_check.py" A "$1/l2.json" "$1/l2/manifest.tsv"
}

run_b() { # DIR
    d=$1
    "$PTPCAL" lab run -q -n "${NS_PREFIX}b$(basename "$d" | tr -dc 0-9)" -o "$d/udp" -d 30s --seed 12 -t UDPv4 \
        --capture-switch \
        --client --fwd 400us --rev 400us \
        --client --fwd 800us --rev 300us --tc two-step \
        --client --fwd 600us --rev 400us --tc one-step --tc-scale 0.9
    ! ip netns list | grep -q "^${NS_PREFIX}b" || die "namespaces of run B left behind"
    rc=0
    "$PTPCAL" lab replay --json "$d/udp" >"$d/udp.json" || rc=$?
    [ $rc -le 1 ] || die "lab replay failed on run B (exit $rc)"
    python3 "$PTPCAL_TOP/tests/e2e/lab_asymmetry_check.py" B "$d/udp.json"
    # validate-switch: from the switch's log ...
    "$PTPCAL" validate-switch --log "$d/udp/switch/frames.tsv" --port sw2 --max-tc-error 1us \
        --max-loss 0 >"$d/v2.txt" || die "validate-switch failed a good two-step TC: $(cat "$d/v2.txt")"
    grep -q "transparent clock: [0-9]* corrections" "$d/v2.txt" || die "no TC corrections seen on sw2"
    expect_exit 1 "$PTPCAL" validate-switch --log "$d/udp/switch/frames.tsv" --port sw3 --max-tc-error 5us
    grep -q "FAIL" "$E2E_DIR/stdout.txt" || die "faulty TC: no FAIL in the report"
    # The symmetric port's realised asymmetry (the log is the truth) is zero in expectation,
    # but a few frames late by milliseconds move one direction's mean by tens of us on a
    # switch that kept time (seen: 0.8 % late, max 7.5 ms: 23 us [-43, +90]). Its limit: 30 us,
    # or 2.7 half-widths of the run's own interval (PASS needs |a| + h <= limit: a zero-mean
    # estimate exceeds that with probability 1e-3). LAB_TIGHT: 30 us.
    alim=30000
    if [ "$LAB_TIGHT" != 1 ]; then
        alim=$("$PTPCAL" validate-switch --log "$d/udp/switch/frames.tsv" --port sw1 --json |
            python3 -c 'import json,sys; p=json.load(sys.stdin)["ports"][0]
print(int(max(30000, 2.7 * (p["asymmetry_ci_hi_ns"] - p["asymmetry_ci_lo_ns"]) / 2)))') ||
            die "validate-switch --json on sw1 gave no interval"
    fi
    "$PTPCAL" validate-switch --log "$d/udp/switch/frames.tsv" --port sw1 --max-asymmetry ${alim}ns \
        --json >"$d/v1.json" || die "symmetric port failed its asymmetry limit ${alim} ns: $(cat "$d/v1.json")"
    expect_exit 1 "$PTPCAL" validate-switch --log "$d/udp/switch/frames.tsv" --port sw2 --max-asymmetry 30us
    # ... and from two-point captures on either side (tcpdump in the switch's namespace: the
    # egress tap stamps before the driver, so allow a few us; under load the taps' stack
    # latency reaches tens of us: seen p99 18 us, max 38 us on a kept-time run). The faulty
    # TC errs by 0.1 x residence, at least 40 us on every event (residences >= 400 us): a
    # limit of 25 us still fails it by its mean. LAB_TIGHT: 15 us.
    lim=25us
    [ "$LAB_TIGHT" = 1 ] && lim=15us
    "$PTPCAL" validate-switch --ingress "$d/udp/switch/sw0.pcap" --egress "$d/udp/switch/sw2.pcap" \
        --max-tc-error $lim >"$d/p2.txt" || die "two-point captures failed the good TC: $(cat "$d/p2.txt")"
    expect_exit 1 "$PTPCAL" validate-switch --ingress "$d/udp/switch/sw0.pcap" --egress "$d/udp/switch/sw3.pcap" \
        --max-tc-error $lim
    cat "$d/v2.txt" "$d/p2.txt"
}

lab_check runA_L2 run_a
lab_check runB_UDPv4 run_b
lab_done
echo "lab asymmetry: L2 and UDPv4 match IEEE 1588; TC validation passes the good TC, fails the faulty one"
