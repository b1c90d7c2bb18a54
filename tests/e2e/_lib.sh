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
