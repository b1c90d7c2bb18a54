#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# `ptpcal lab` finds its script from the executable's real path by walking up: a binary in
# a build subdirectory (build/asan/ptpcal) finds TOP/scripts/lab, an installed one
# (PREFIX/bin/ptpcal) PREFIX/share/ptpcal/scripts/lab, a symlink the script next to its
# target; with none, one line naming the binary and exit 2. Fake scripts tell which ran.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
cd "$E2E_DIR"
unset PTPCAL_LAB_SCRIPT
fake() { mkdir -p "$(dirname "$1")"; printf 'echo "FAKE %s $*"\n' "$2" >"$1"; }
# source-tree layout, binary two levels down
mkdir -p src/build/asan
cp "$PTPCAL" src/build/asan/ptpcal
fake src/scripts/lab tree
out=$(src/build/asan/ptpcal lab status x) || die "build/asan binary: exit $?"
[ "$out" = "FAKE tree status x" ] || die "build/asan binary ran: $out"
# installed layout
mkdir -p pfx/bin
cp "$PTPCAL" pfx/bin/ptpcal
fake pfx/share/ptpcal/scripts/lab installed
out=$(pfx/bin/ptpcal lab status) || die "installed binary: exit $?"
[ "$out" = "FAKE installed status" ] || die "installed binary ran: $out"
# a symlink elsewhere: the real path decides
mkdir -p elsewhere
ln -sf "$E2E_DIR/src/build/asan/ptpcal" elsewhere/ptpcal
out=$(elsewhere/ptpcal lab status) || die "symlinked binary: exit $?"
[ "$out" = "FAKE tree status" ] || die "symlinked binary ran: $out"
# $PTPCAL_LAB_SCRIPT still wins
fake env/lab env
out=$(PTPCAL_LAB_SCRIPT="$E2E_DIR/env/lab" src/build/asan/ptpcal lab status) || die "env: exit $?"
[ "$out" = "FAKE env status" ] || die "PTPCAL_LAB_SCRIPT ignored: $out"
# nothing above the binary: outside the source tree (E2E_DIR is inside it)
nf=$(mktemp -d /tmp/ptpcal-labfind.XXXXXX)
trap 'rm -rf "$nf"' EXIT
mkdir -p "$nf/none/a/b"
cp "$PTPCAL" "$nf/none/a/b/ptpcal"
for d in /tmp /; do
    [ -e "$d/scripts/lab" ] || [ -e "$d/share/ptpcal/scripts/lab" ] && skip "$d holds a lab script"
done
expect_exit 2 "$nf/none/a/b/ptpcal" lab status
[ "$(wc -l <"$ERR")" = 1 ] || die "not one line: $(cat "$ERR")"
grep -q "cannot find scripts/lab.*none/a/b/ptpcal.*PTPCAL_LAB_SCRIPT" "$ERR" || die "unclear error: $(cat "$ERR")"
echo "lab script found for build/asan, installed, symlinked; one-line error otherwise"
