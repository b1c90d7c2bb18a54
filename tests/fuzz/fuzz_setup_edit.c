/* ptpcal setup's edits on arbitrary text: the first line as a linuxptp version, the whole
 * input as ptp4l.conf, ntp.conf and a systemd drop-in, for both roles. Each edit applied a
 * second time must change nothing (idempotence). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conf_edit.h"
#include "pipeline/linuxptp_version.h"
#include "pipeline/setup_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-setup-%d", (int)getpid());
	}
	char first[64];
	size_t l = 0;
	while (l < size && l < sizeof(first) - 1 && data[l] != '\n') {
		first[l] = (char)data[l];
		l++;
	}
	first[l] = '\0';
	struct lptp_version v = { 4, 4, 0 };
	struct lptp_version parsed;
	if (lptp_version_parse(first, &parsed))
		v = parsed;
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	for (int role = 0; role < 2; role++) {
		struct setup_params p = { .role = role ? SETUP_CLIENT : SETUP_SERVER, .iface = "eth0",
					  .ver = v, .transport = "L2", .time_stamping = "hardware",
					  .shm_unit = 2, .coalesce_usecs = 4,
					  .leapfile = "/usr/share/zoneinfo/leap-seconds.list",
					  .have_time1 = role == 1 && (size & 1), .time1 = "0.000180" };
		struct notes notes = { NULL, 0 };
		struct conf_file cf;
		if (!conf_load(&cf, path, false))
			break;
		if (conf_ptp4l_validate(&cf)) {
			setup_edit_ptp4l(&cf, &p, &notes);
			if (setup_edit_ptp4l(&cf, &p, &notes))
				abort();
		}
		setup_edit_ntpconf(&cf, &p, &notes);
		if (setup_edit_ntpconf(&cf, &p, &notes))
			abort();
		setup_edit_ptp4l_dropin(&cf, &p);
		if (setup_edit_ptp4l_dropin(&cf, &p))
			abort();
		conf_free(&cf);
		notes_free(&notes);
	}
	unlink(path);
	return 0;
}
