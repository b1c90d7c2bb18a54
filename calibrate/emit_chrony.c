/* chrony: `refclock SHM N offset X refid PTP`.
 *
 * Checked in chrony 4.3 (Debian 12) and master: refclock_shm.c calls
 * RCL_AddSample(instance, &receive_ts, &clock_ts, leap), and refclock.c computes
 * offset = ref_time - sample_time - correction + instance->offset: the reference's time minus
 * the local receive time plus `offset`, so the sign is ntpsec's time1 (a positive offset
 * makes the refclock read later). The parameter is "N" or "N:perm=..." (segment N). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calibrate/emit.h"

static bool is_shm_line(const char *line, void *ctx)
{
	int unit = *(const int *)ctx;
	char buf[4200];
	const char *tok[EMIT_MAXTOK];
	int n = conf_tokens(line, buf, sizeof(buf), tok, EMIT_MAXTOK);
	if (n < 3 || strcasecmp(tok[0], "refclock") || strcmp(tok[1], "SHM"))
		return false;
	char *end;
	long u = strtol(tok[2], &end, 10);
	return end != tok[2] && (*end == 0 || *end == ':') && u == unit;
}

static const char *find_line(const struct conf_file *cf, int unit)
{
	return emit_find_line(cf, is_shm_line, &unit);
}

bool chrony_read_offset(const struct conf_file *cf, int unit, double *offset_s, bool *bad)
{
	return emit_read_seconds(cf, find_line(cf, unit), 3, "offset", offset_s, bad);
}

static void build(const struct cal_correction *c, const struct cal_refclock *rc,
		  const struct conf_file *cf, char *out, size_t len)
{
	char fresh[200];
	snprintf(fresh, sizeof(fresh), "refclock SHM %d refid %s", rc->unit, rc->refid);
	emit_fudge_line(out, len, find_line(cf, rc->unit), fresh, 3, "offset", c, false, NULL);
}

void emit_chrony(const struct cal_correction *c, const struct cal_refclock *rc,
		 const struct conf_file *cf, struct cal_emit *e)
{
	memset(e, 0, sizeof(*e));
	e->target = "chrony";
	build(c, rc, cf, e->lines[0], sizeof(e->lines[0]));
	e->nlines = 1;
	snprintf(e->note, sizeof(e->note), "%s",
		 c->layer == CAL_LAYER_REFCLOCK ?
		 "offset (seconds) has the sign of ntpsec's time1: chrony refclock.c offset = "
		 "reference - sample time + offset." :
		 "no offset: the bias is corrected in ptp4l (delayAsymmetry), never in both layers.");
}

bool chrony_apply(struct conf_file *cf, const struct cal_correction *c,
		  const struct cal_refclock *rc)
{
	char line[600];
	build(c, rc, cf, line, sizeof(line));
	int unit = rc->unit;
	return conf_directive_set(cf, is_shm_line, &unit, line,
				  find_line(cf, unit) ? NULL : "PTP via phc2sys -E ntpshm (ptpcal calibrate)");
}
