# Shared by the end-to-end tests (sourced). $PTPCAL is the binary under test, $E2E_DIR a
# fresh directory for this test's files.
set -u
: "${PTPCAL:?}" "${PTPCAL_TOP:?}" "${E2E_DIR:?}"
rm -rf "$E2E_DIR"
mkdir -p "$E2E_DIR"
. "$PTPCAL_TOP/scripts/lib/netns.sh"

skip() { echo "$*"; exit 77; }
die() { echo "FAILED: $*"; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }

# expect_exit CODE CMD...: run CMD, fail unless it exits with CODE; its stderr is in $ERR.
expect_exit() {
    want=$1
    shift
    ERR="$E2E_DIR/stderr.txt"
    set +e
    "$@" >"$E2E_DIR/stdout.txt" 2>"$ERR"
    got=$?
    set -e
    [ "$got" = "$want" ] || die "exit $got, wanted $want: $* ($(cat "$ERR"))"
}

# A unique prefix for namespaces of this test run.
NS_PREFIX="pc$$"

# world_ptpcal: prints the path of a copy of the binary under test that any user can run,
# laid out as `make install` does (bin/ptpcal beside share/ptpcal/scripts, where `lab` finds
# its script), in this test's directory. For the cases that run ptpcal as an unprivileged
# user: the checkout itself may lie under a mode-0700 directory they cannot enter.
world_ptpcal() {
    _w="$E2E_DIR/world"
    mkdir -p "$_w/bin" "$_w/share/ptpcal"
    cp "$PTPCAL" "$_w/bin/ptpcal"
    cp -r "$PTPCAL_TOP/scripts" "$_w/share/ptpcal/"
    chmod -R a+rX "$_w"
    echo "$_w/bin/ptpcal"
}

# ---- live-lab verdicts -------------------------------------------------------------------
# A live-lab test's statistical verdicts are only about ptpcal when the emulated switch kept
# time (ptpcal lab health: how late frames left against their due time). lab_check NAME FUNC
# runs FUNC DIR, which makes its lab runs under DIR and checks them (exit 0 pass, else fail).
# A failure while a run's switch could not keep time is tried once more; failing again so,
# it is recorded as "lab could not keep time" with the figure, and lab_done makes the test a
# skip (exit 77) -- never a silent pass, never a bare failure. A failure while the lab kept
# time fails the test at once.
# LAB_TIGHT=1 (make lab-check) asks for the tight verdicts: coverage and honesty figures that
# need a quiet machine and repeated runs (tests/labcheck/run).
LAB_TIGHT=${LAB_TIGHT:-0}
LAB_SKIPPED=""

# lab_health_of DIR: every lab run below DIR (a switch/frames.tsv); sets LAB_HEALTH to the
# worst figure and LAB_KEPT=0 if any run's switch could not keep time (1 otherwise).
lab_health_of() {
    LAB_KEPT=1
    _worst=""
    _ifs=$IFS
    IFS='
'
    for _f in $(find "$1" -path '*/switch/frames.tsv' 2>/dev/null); do
        if _h=$("$PTPCAL" lab health "$_f"); then
            [ -n "$_worst" ] || _worst="$_h"
        else
            LAB_KEPT=0
            _worst="$_h"
        fi
    done
    IFS=$_ifs
    LAB_HEALTH=${_worst:-no switch log}
}

lab_check() {
    _name=$1 _fn=$2
    for _try in 1 2; do
        _d="$E2E_DIR/$_name.try$_try"
        LAB_LAST_DIR=$_d # for the checks that do not depend on the lab keeping time
        rm -rf "$_d"
        mkdir -p "$_d"
        set +e
        (set -e; "$_fn" "$_d")
        _rc=$?
        set -e
        lab_health_of "$_d"
        echo "$_name (try $_try): lab health: $LAB_HEALTH"
        if [ $_rc = 0 ]; then
            return 0
        fi
        if [ "$LAB_KEPT" = 1 ]; then
            die "$_name: failed (exit $_rc) while the lab kept time"
        fi
        echo "$_name (try $_try): failed while the lab could not keep time"
    done
    LAB_SKIPPED="$LAB_SKIPPED${LAB_SKIPPED:+; }$_name: $LAB_HEALTH"
}

# lab_done: the test's end: a skip naming every part the lab could not keep time for.
lab_done() {
    [ -z "$LAB_SKIPPED" ] || skip "lab could not keep time: $LAB_SKIPPED"
}

# wait_for_line FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN (default 10 s;
# a fixed sleep is a race on a loaded machine). 1 if it never came.
wait_for_line() {
    _i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        _i=$((_i + 1))
        [ $_i -le $((${3:-10} * 20)) ] || return 1
        sleep 0.05
    done
}

# lab_fail_or_skip DIR MESSAGE: for a statistical verdict on a lab that cannot be run again
# (lab up, followed live): a failure while the switch kept time fails; one while it could not
# is a skip with the figure (never a silent pass, never a bare failure).
lab_fail_or_skip() {
    lab_health_of "$1"
    [ "$LAB_KEPT" = 1 ] || skip "lab could not keep time ($LAB_HEALTH): $2"
    die "$2 (lab health: $LAB_HEALTH)"
}
