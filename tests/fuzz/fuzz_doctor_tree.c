/* `ptpcal doctor` on a staged tree made of arbitrary files (every check reads system files and
 * recorded command outputs: unit files and drop-ins, ptp4l.conf, ntp.conf, the leap-seconds
 * file, ps / ethtool / dpkg / ntpq output). The input is split at lines "----" into the files
 * below, in order; a missing part: that file is absent. The report is printed (text and JSON)
 * to /dev/null so that its formatting of hostile text runs too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "pipeline/checks.h"
#include "pipeline/doctor.h"
#include "tests/fuzz/split_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"out/ps.txt",
	"root/etc/linuxptp/ptp4l.conf",
	"root/lib/systemd/system/ptp4l@.service",
	"root/lib/systemd/system/phc2sys@.service",
	"root/etc/systemd/system/phc2sys@.service.d/override.conf",
	"root/etc/systemd/system/ptp4l@.service.d/override.conf",
	"root/etc/ntpsec/ntp.conf",
	"root/usr/share/zoneinfo/leap-seconds.list",
	"out/ethtool-T-eth0.txt",
	"out/ethtool-c-eth0.txt",
	"out/ethtool-i-eth0.txt",
	"out/dpkg-V-linuxptp.txt",
	"out/ntpq-pn.txt",
};
#define NFILES (sizeof(files) / sizeof(files[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *top;
	if (!top) {
		log_set_verbosity(-1);
		top = fuzz_scratch_dir("doctor");
		if (!freopen("/dev/null", "w", stdout))
			abort();
	}
	if (size > 100000)
		return 0;
	if (fuzz_split_files(data, size, top, files, NFILES) != 0)
		return 0;
	char root[300], out[300];
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(out, sizeof(out), "%s/out", top);
	struct doctor_opts o;
	memset(&o, 0, sizeof(o));
	o.sv.root = root;
	o.sv.outputs = out;
	o.iface = "eth0";
	o.have_ver = lptp_version_parse(size & 1 ? "3.1.1" : "4.2", &o.ver);
	o.coalesce_target_us = 4;
	o.ntp_conf = "/etc/ntpsec/ntp.conf";
	struct checks cs = { NULL, 0 };
	doctor_all(&o, &cs);
	bool failed = checks_failed(&cs, true);
	checks_print_text(&cs, true);
	checks_print_json(&cs, "ptpcal-doctor/1", root, failed);
	checks_free(&cs);
	return 0;
}
