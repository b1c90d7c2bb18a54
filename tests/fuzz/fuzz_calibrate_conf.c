/* The calibrator's readers and editors of ntp.conf (ntpsec and classic ntpd), chrony.conf and
 * ptp4l.conf on arbitrary text, and its --known-offset parser: read the current fudge, apply
 * a correction (the second apply must change nothing: idempotence), read it back. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate/emit.h"
#include "calibrate/reference.h"
#include "common/conf_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/ptpcal-fuzz-calconf-%d", (int)getpid());
	}
	if (size < 200) {
		char s[200];
		memcpy(s, data, size);
		s[size] = 0;
		double ns, u;
		cal_parse_known_offset(s, &ns, &u);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct cal_refclock rc = { 2, "PTP" };
	struct cal_current cur = { 0 };
	for (int layer = 0; layer < 2; layer++) {
		struct cal_correction c;
		cal_correct(layer ? -93621 : 71272, &cur, layer ? CAL_LAYER_REFCLOCK : CAL_LAYER_PTP4L,
			    CAL_KNOB_ASYMMETRY, &c);
		for (int kind = 0; kind < 4; kind++) {
			struct conf_file cf;
			if (!conf_load(&cf, path, false))
				return 0;
			double v;
			bool bad;
			struct cal_emit e;
			switch (kind) {
			case 0:
				ntpsec_read_time1(&cf, 2, &v, &bad);
				emit_ntpsec(&c, &rc, &cf, &e);
				ntpsec_apply(&cf, &c, &rc);
				if (ntpsec_apply(&cf, &c, &rc))
					abort();
				break;
			case 1:
				ntpd_read_time1(&cf, 2, &v, &bad);
				emit_ntpd(&c, &rc, &cf, &e);
				ntpd_apply(&cf, &c, &rc);
				if (ntpd_apply(&cf, &c, &rc))
					abort();
				break;
			case 2:
				chrony_read_offset(&cf, 2, &v, &bad);
				emit_chrony(&c, &rc, &cf, &e);
				chrony_apply(&cf, &c, &rc);
				if (chrony_apply(&cf, &c, &rc))
					abort();
				break;
			default:
				if (conf_ptp4l_validate(&cf) && ptp4l_read_current(&cf, "global", &cur)) {
					emit_ptp4l(&c, &cur, "global", &e);
					ptp4l_apply(&cf, "global", &c, &cur);
					if (ptp4l_apply(&cf, "global", &c, &cur))
						abort();
				}
				memset(&cur, 0, sizeof(cur));
				break;
			}
			conf_free(&cf);
		}
	}
	return 0;
}
