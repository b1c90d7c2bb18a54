#!/bin/sh
# e2e: offline (no lab, no daemon, no timing: run beside the other offline tests)
# ptpcal analyze on bad inputs and bad usage: one line on stderr naming the file or option,
# exit 2, never a crash or a hang. And --help.
set -eu
. "$PTPCAL_TOP/tests/e2e/_lib.sh"
cd "$E2E_DIR"
P="$PTPCAL"
"$P" capture -q -r "$PTPCAL_TOP/datasets/direct-l2-30s.pcap" -o ex.tsv --messages msgs.tsv

one_line() { # a single line naming $1
    [ "$(wc -l <"$ERR")" -eq 1 ] || die "not one line: $(cat "$ERR")"
    grep -q -- "$1" "$ERR" || die "does not name $1: $(cat "$ERR")"
}
bad() { # NAME-IN-MESSAGE ARGS...
    what=$1
    shift
    expect_exit 2 "$P" analyze "$@"
    one_line "$what"
}

printf 'garbage\n' >garbage.tsv
bad garbage.tsv garbage.tsv
: >empty.tsv
bad empty.tsv empty.tsv
bad none.tsv none.tsv
head -c 2500 ex.tsv >trunc.tsv            # the last row cut in the middle
bad trunc.tsv trunc.tsv
awk 'BEGIN{FS=OFS="\t"} !/^#/ && ++n == 5 { $9 = "17x" } 1' ex.tsv >badrow.tsv  # a malformed t1
bad badrow.tsv badrow.tsv
gzip -c ex.tsv >ex.tsv.gz
bad ex.tsv.gz ex.tsv.gz
grep -q "decompress" "$ERR" || die "compressed input without the hint: $(cat "$ERR")"
sed '1s/exchanges/frobs/' ex.tsv >kind.tsv
bad kind.tsv kind.tsv
sed '1s/dataset 1/dataset 9/' ex.tsv >version.tsv
bad version.tsv version.tsv
head -c 3000 "$PTPCAL_TOP/datasets/direct-l2-30s.pcap" >trunc.pcap
bad trunc.pcap trunc.pcap
head -c 100000 /dev/urandom >random.bin
bad random.bin random.bin
awk 'BEGIN{FS=OFS="\t"} !/^#/ && ++n == 5 { $4 = "Sunc" } 1' msgs.tsv >badmsg.tsv
bad badmsg.tsv badmsg.tsv
printf '# ptpcal-dataset 1 truth\nt\toffset_ns\n2.0\t1\n1.0\t2\n' >backwards.tsv
bad backwards.tsv ex.tsv --truth backwards.tsv
bad nolog.txt ex.tsv --ptp4l-log nolog.txt
printf 'no servo lines here\n' >plain.log
bad plain.log ex.tsv --ptp4l-log plain.log
bad random.bin ex.tsv --ptp4l-log random.bin
printf 'x' >file
bad file ex.tsv --out file
bad --lucky ex.tsv --lucky 0
bad --lucky ex.tsv --lucky 101
bad --lucky ex.tsv --lucky abc
bad --settle ex.tsv --settle sometimes
bad --window ex.tsv --window 1m,,x
bad --truth-offset ex.tsv --truth-offset 12parsecs
bad --truth ex.tsv --truth backwards.tsv --truth-offset 0
bad "no input" --json
bad "all" ex.tsv --settle 1h         # everything would be settling
expect_exit 0 "$P" analyze --help
grep -q "usage: ptpcal analyze" "$E2E_DIR/stdout.txt" || die "--help without usage"
expect_exit 0 "$P" help analyze
echo "analyze: every bad input and option gets one line and exit 2"
