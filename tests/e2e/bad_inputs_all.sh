#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# Every command of `ptpcal help` (and its sub-commands) on bad usage and bad input, under the
# ASan+UBSan binary when there is one ($PTPCAL_ASAN): no arguments, --help, an unknown
# option, a missing file, a directory, an empty file, a truncated real input, random bytes,
# a garbage field in one row, endless input (/dev/zero), a missing device, an unwritable
# output, a full disk.
# Each must give ONE line on stderr naming the file or option and exit 2 (1 where a check
# fails), with no sanitizer report and no hang (timeout 20 s); --help exits 0 with lines
# of at most 100 columns. All violations are listed, then the test fails if there was one.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
cd "$E2E_DIR"
P="${PTPCAL_ASAN:-$PTPCAL}"
[ -x "$P" ] || P="$PTPCAL"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
export PTPCAL_LAB_SCRIPT="$PTPCAL_TOP/scripts/lab" # the ASan binary is not next to scripts/
D="$PTPCAL_TOP/datasets"
# Bad usage must never bring a lab up; if a regression does, take down what it left: only
# labs whose dataset directory lies in this test's directory (a lab's default one is ./NAME,
# and every call here runs from it). "Any lab new since the start" took down a lab that a
# concurrent `ptpcal sync --lab` had just brought up (lab-check, sync_lab_refclock run 9).
E2E_HERE=$(pwd) E2E_REAL=$(pwd -P)
cleanup_labs() {
    "$PTPCAL" lab status 2>/dev/null | while read -r name _ _ _ dir; do
        case $name in no) continue ;; esac
        case $dir in "$E2E_HERE"/* | "$E2E_REAL"/*) "$PTPCAL" lab down "$name" >/dev/null 2>&1 ;; esac
    done
}
trap cleanup_labs EXIT
bad=0 n=0

# --- inputs ---------------------------------------------------------------------------------
"$PTPCAL" capture -q -r "$D/direct-l2-30s.pcap" -o ex.tsv
# half(IN, OUT): the first half of a text file, its last line cut in the middle.
half() {
    lines=$(wc -l <"$1")
    { head -n $((lines / 2)) "$1"; sed -n "$((lines / 2 + 1))p" "$1" | head -c 20; } >"$2"
}
pcap_size=$(wc -c <"$D/direct-l2-30s.pcap")
head -c $((pcap_size / 2)) "$D/direct-l2-30s.pcap" >trunc.pcap
half ex.tsv trunc.tsv
awk 'BEGIN{FS=OFS="\t"} !/^#/ && ++n == 5 { $2 = "x17" } 1' ex.tsv >garbage.tsv
head -c 65536 /dev/urandom >random.bin
# Recorded pps / extts sources (the replay path of the device commands).
printf '# ptpcal-dataset 1 pps\nt_s\tseq\tedge\tsys\n' >pps.tsv
printf '# ptpcal-dataset 1 extts\nt_s\tindex\tseq\tphc\n' >extts.tsv
for i in 0 1 2 3 4 5; do
    printf '%d\t%d\tassert\t%d.000001234\n' $i $((i + 1)) $((1795000000 + i)) >>pps.tsv
    printf '%d\t0\t%d\t%d.999997000\n' $i $((i + 1)) $((1795000037 + i)) >>extts.tsv
done
: >empty
mkdir -p adir lab lab-trunc
printf 'x' >afile # afile/sub cannot be created, even by root (ENOTDIR)
cp "$D"/lab-l2-symmetric/* lab/
xz -dc lab/frames.tsv.xz >frames.tsv
xz -dc lab/ptp4l.log.xz >ptp4l.log
cp lab/* lab-trunc/
# A lab dataset with its capture cut in half (inside the xz stream, and decompressed).
xz -dc lab/capture.pcap.xz | head -c $(($(xz -dc lab/capture.pcap.xz | wc -c) / 2)) |
    xz -c >lab-trunc/capture.pcap.xz
half frames.tsv trunc-frames.tsv

# --- checks ---------------------------------------------------------------------------------
violation() {
    bad=$((bad + 1))
    echo "VIOLATION [$1]: $2"
    sed 's/^/    | /' err | head -n 6
}

# run WANT WHAT ARGS...: WANT is the allowed exit codes ("2", "1 2"), WHAT a text the one
# line on stderr must contain (a file or option name; "" for none).
run() {
    want=$1 what=$2
    shift 2
    n=$((n + 1))
    label="ptpcal $*"
    set +e
    timeout 20 "$P" "$@" >"${STDOUT:-out}" 2>err </dev/null
    rc=$?
    set -e
    if [ $rc = 124 ]; then violation "$label" "hang (killed after 20 s)"; return; fi
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' err; then
        violation "$label" "sanitizer report (exit $rc)"; return
    fi
    ok=0
    for w in $want; do [ "$rc" = "$w" ] && ok=1; done
    [ $ok = 1 ] || { violation "$label" "exit $rc, wanted $want"; return; }
    lines=$(wc -l <err)
    [ "$lines" -eq 1 ] || { violation "$label" "$lines lines on stderr, wanted one"; return; }
    [ -z "$what" ] || grep -qF -- "$what" err || violation "$label" "stderr does not name $what"
}

# help CMD...: exit 0, text on stdout, no line over 100 columns.
help() {
    n=$((n + 1))
    set +e
    timeout 20 "$P" "$@" --help >out 2>err </dev/null
    rc=$?
    set -e
    [ $rc = 0 ] || { violation "ptpcal $* --help" "exit $rc"; return; }
    [ -s out ] || { violation "ptpcal $* --help" "no text on stdout"; return; }
    w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' out)
    [ "$w" -le 100 ] || violation "ptpcal $* --help" "a line of $w columns"
}

# files CMD-PREFIX -- CMD-SUFFIX: the file kinds in the place of the input.
files() {
    pre=$1 post=$2
    for f in none.tsv adir empty trunc.tsv random.bin garbage.tsv /dev/zero; do
        # shellcheck disable=SC2086
        run "2" "$f" $pre "$f" $post
    done
}

# --- the matrix -----------------------------------------------------------------------------
run 2 "" # no command
run 2 "frobnicate" frobnicate
help help
CMDS="capture lab validate-switch analyze calibrate report shm setup pmc phc pps extts truth
      gnss doctor verify import sync watchdog monitor leap"
# A command added to `ptpcal help` must be added here too.
for c in $("$P" help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
    case " $(echo $CMDS) help version " in
        *" $c "*) ;;
        *) n=$((n + 1)); bad=$((bad + 1)); echo "VIOLATION [ptpcal $c]: not in this matrix" ;;
    esac
done
for c in $CMDS; do
    help "$c"
    run 2 "--frobnicate" "$c" --frobnicate
done
for c in "lab run" "lab up" "lab down" "lab exec" "lab status" "lab switch" "lab replay" \
         "lab health" "shm read" "shm write" "phc cmp" "phc record" "phc caps" "pps record" \
         "extts record" "extts perout" "setup server" "setup client" "verify server" \
         "verify client" "import ptp4l"; do
    # shellcheck disable=SC2086
    help $c
    # shellcheck disable=SC2086
    case $c in
        "lab exec"|"lab down") run 2 "" $c --frobnicate ;; # NAME first: any word can be one
        *) run 2 "--frobnicate" $c --frobnicate ;;
    esac
done
# No arguments where some are required.
for c in capture analyze calibrate report validate-switch lab shm setup pmc phc pps extts \
         truth import "lab down" "lab exec" "lab replay" "lab health" "shm write" "phc cmp" "phc record" \
         "phc caps" "pps record" "extts record" "extts perout" "import ptp4l" sync monitor; do
    # shellcheck disable=SC2086
    run 2 "" $c
done

# capture
files "capture -q -o x.tsv -r" ""
run 2 trunc.pcap capture -q -r trunc.pcap -o x.tsv
run 2 "afile" capture -q -r "$D/direct-l2-30s.pcap" -o afile/sub/x.tsv
run 2 "/dev/full" capture -q -r "$D/direct-l2-30s.pcap" -o /dev/full
run 2 "ptp9" capture -q -i ptp9nosuch -o x
# analyze
files "analyze" ""
run 2 trunc.pcap analyze trunc.pcap
STDOUT=/dev/full
run 2 "" analyze ex.tsv --json
run 2 "" analyze ex.tsv
run 2 "" capture -q -r "$D/direct-l2-30s.pcap" -o -
run 2 "" import ptp4l ptp4l.log -o -
run 2 "" lab replay lab -F lab --json
STDOUT=out
run 2 "/dev/full" analyze ex.tsv --out /dev/full
run 2 "afile" analyze ex.tsv --out afile/sub
run 2 "--frobnicate" analyze ex.tsv --frobnicate
run 2 "--out" analyze ex.tsv --out           # a missing value
for f in /dev/zero random.bin adir none.tsv; do run 2 "$f" analyze ex.tsv --ptp4l-conf $f; done
run 2 "--delay-filter-length" analyze ex.tsv --delay-filter-length 0
run 2 "--delay-filter" analyze ex.tsv --delay-filter median
run 2 "--tsproc-mode" calibrate --known-offset 0 --tsproc-mode fast ex.tsv
run 2 "--estimator" calibrate --known-offset 0 --estimator median ex.tsv
run 2 "-Z" capture -qZ -r "$D/direct-l2-30s.pcap" # an unknown letter in a cluster
# calibrate
files "calibrate" ""
files "calibrate --truth" "ex.tsv"
run 2 "lab-trunc" calibrate lab-trunc
run 2 "--known-offset" calibrate --known-offset 12q ex.tsv
for o in --ptp4l-conf --ntp-conf --chrony-conf --servo; do   # endless and broken configs
    for f in /dev/zero random.bin adir; do run 2 "$f" calibrate --known-offset 0±50 $o $f ex.tsv; done
done
run 2 "/dev/zero" analyze ex.tsv --ptp4l-log /dev/zero
run 2 "/dev/zero" report -q -o rep5 -s /dev/zero ex.tsv
# report
files "report -q -o rep" ""
run 2 "afile" report -q -o afile/sub ex.tsv
run 2 "/dev/full" report -q -o /dev/full ex.tsv
files "report -q -o rep2 --from-analysis" ""
# validate-switch
files "validate-switch --log" ""
run 2 "trunc-frames.tsv" validate-switch --log trunc-frames.tsv
run 2 "trunc.pcap" validate-switch --ingress trunc.pcap --egress trunc.pcap
run 2 "random.bin" validate-switch --ingress random.bin --egress "$D/direct-l2-30s.pcap"
run 2 "--max-pdv" validate-switch --log frames.tsv --max-pdv 12q
# lab
files "lab replay" ""
run 2 "lab-trunc" lab replay lab-trunc
files "lab health" ""
run 2 "trunc-frames.tsv" lab health trunc-frames.tsv
run 2 "" lab health lab lab
run 2 "/dev/full" lab replay lab -F lab -c cl1 -o /dev/full
run 2 "nosuchlab" lab down nosuchlab
run 2 "nosuchlab" lab status nosuchlab
run 2 "--fwd" lab run --fwd 12q
# shm
run 2 "--unit" shm read --unit 999 --count 1
run 2 "--unit" shm write --unit x9
run 2 "--offset" shm write --unit 7 --offset 1q --count 1
run 2 "afile" shm read --unit 201 --duration 1s -o afile/sub/x.tsv
run 2 "segment" shm read --unit 201 --count 1 --duration 1s   # none there: says so
# setup
run 2 "--transport" setup server --root adir --transport frob
run 2 "--linuxptp-version" setup client --root adir --linuxptp-version x.y
run 2 "afile" setup server --root afile/sub
# pmc
run "1 2" "/nonexistent/ptp4l" pmc -s /nonexistent/ptp4l GET DEFAULT_DATA_SET
run 2 "FROB" pmc -s /nonexistent/ptp4l GET FROB
# phc / pps / extts / truth: a missing device, and files as recorded datasets
for s in "phc cmp" "phc caps" "phc record"; do
    # shellcheck disable=SC2086
    run 2 "/dev/ptp9" $s /dev/ptp9 -o x.tsv
done
files "phc cmp" ""
files "phc record -o x.tsv" ""
run 2 "/dev/pps9" pps record /dev/pps9 -o x.tsv --duration 1s
files "pps record -o x.tsv" ""
run 2 "/dev/ptp9" extts record /dev/ptp9 --index 0 -o x.tsv --duration 1s
run 2 "/dev/ptp9" extts perout /dev/ptp9 --index 0 --period 1s
files "extts record --index 0 -o x.tsv" ""
run 2 "/dev/pps9" truth --pps /dev/pps9 --phc /dev/ptp9 -o x.tsv --duration 1s
run 2 "/dev/full" pps record pps.tsv -o /dev/full
run 2 "/dev/full" extts record extts.tsv --index 0 -o /dev/full
run 2 "/dev/full" truth --pps pps.tsv --clock system -o /dev/full
run 2 "/dev/full" truth --extts extts.tsv -o /dev/full
run 2 "afile" truth --extts extts.tsv -o afile/sub/x.tsv
files "truth -o x.tsv --clock system --pps" ""
files "truth -o x.tsv --index 0 --extts" ""
# gnss, watchdog: bad values (nothing listens on the port: they must not hang beyond D)
run 2 "--min-sats" gnss record -o x.tsv --min-sats x --duration 1s
run 2 "afile" gnss record -o afile/sub/x.tsv --duration 1s
run 2 "--loss" watchdog --loss 12q
run 2 "--degraded-class" watchdog --degraded-class 99
# monitor: bad values are refused before anything is bound or polled
run 2 "--listen" monitor --listen 127.0.0.1
run 2 "--listen" monitor --listen 127.0.0.1:99999
run 2 "frob.example" monitor --listen frob.example:9477
run 2 "--textfile" monitor --textfile x.txt
run 2 "--interval" monitor --listen 127.0.0.1:9 --interval 12q
run 2 "--window" monitor --listen 127.0.0.1:9 --window 1s --interval 1s
run 2 "--shm-unit" monitor --listen 127.0.0.1:9 --shm-unit 999
run 2 "--truth-offset" monitor --listen 127.0.0.1:9 --truth-offset 12q
run 2 "no such interface" monitor --listen 127.0.0.1:9 --capture nosuchif0
run 2 "--capture-tstamp" monitor --listen 127.0.0.1:9 --capture lo --capture-tstamp exact
run 2 "--role" monitor --listen 127.0.0.1:9 --role boss
run 2 "--iface" monitor --listen 127.0.0.1:9 --iface ""
run 2 "--iface" monitor --listen 127.0.0.1:9 --iface an-interface-name-too-long
run 2 "/dev/ptp-no-such" monitor --textfile nophc.prom --no-gpsd --no-shm --no-ntpsec --phc /dev/ptp-no-such
run 2 "--phc" monitor --listen 127.0.0.1:9 --phc /dev/ptp0 --no-daemons
run 2 "empty" monitor --textfile nophc.prom --no-gpsd --no-shm --no-ntpsec --phc empty
[ ! -e nophc.prom ] || violation "monitor --phc" "a refused PHC left a textfile"
run 2 "--gpsd" monitor --listen 127.0.0.1:9 --gpsd :x
run 2 "afile" monitor --textfile afile/sub/x.prom --no-gpsd --no-ptp4l --no-shm --no-ntpsec
# doctor, verify
run 2 "nosuchdir" doctor --root nosuchdir
run 2 "nosuchdir" doctor --outputs nosuchdir
run "1 2" "" verify server --outputs nosuchdir
run 2 "--timeout" verify client --timeout x
# import
for fmt in ptp4l phc2sys chrony ntpsec-peerstats ntpsec-loopstats; do
    files "import $fmt -o x.tsv" ""
done
run 2 "frob" import frob ptp4l.log -o x.tsv
run 2 "/dev/full" import ptp4l ptp4l.log -o /dev/full
run 2 "afile" import ptp4l ptp4l.log -o afile/sub/x.tsv
# leap
files "leap -f" ""
run 2 "--at" leap --at 12q
# sync
run 2 "--fwd" sync --lab --fwd 12q
run 2 "--lab" sync

echo "$n cases, $bad violations"
[ $bad -eq 0 ] || die "$bad of $n cases violate the bad-input standard"
