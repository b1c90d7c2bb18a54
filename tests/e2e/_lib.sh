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
