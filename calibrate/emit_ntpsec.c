/* ntpsec: `refclock shm unit N refid PTP time1 X`.
 *
 * Checked in ntpsec (NTPsec_1_2_2, Debian 12's 1.2.2, and master): the grammar is
 * "refclock NAME [unit N] option..." (ntp_parser.y refclock_command, unit defaults to 0);
 * refclock_shm.c passes pp->fudgetime1 to refclock_process_offset(), which records
 * SAMPLE(reference time - receive time + time1) (ntp_refclock.c): time1 is the offset fudge
 * in seconds, and a positive time1 makes the refclock read later. time2 is the SHM driver's
 * maximum allowed difference in seconds (shm_control: values < 1.0 or > 86400 fall back to
 * 4 h), so the guide's `time2 0.000180` does nothing; a time2 below 1 s is removed. */
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
	if (n < 2 || strcasecmp(tok[0], "refclock") || strcasecmp(tok[1], "shm"))
		return false;
	long u = 0; /* ntp_parser.y optional_unit: absent = 0 */
	if (n >= 4 && !strcasecmp(tok[2], "unit"))
		u = strtol(tok[3], NULL, 10);
	return u == unit;
}

static const char *find_line(const struct conf_file *cf, int unit)
{
	return emit_find_line(cf, is_shm_line, &unit);
}

bool ntpsec_read_time1(const struct conf_file *cf, int unit, double *time1_s, bool *bad)
{
	return emit_read_seconds(cf, find_line(cf, unit), 2, "time1", time1_s, bad);
}

/* The line for the correction: the existing one with its options kept, or a new one. */
static void build(const struct cal_correction *c, const struct cal_refclock *rc,
		  const struct conf_file *cf, char *out, size_t len, bool *dropped_time2)
{
	char fresh[200];
	snprintf(fresh, sizeof(fresh), "refclock shm unit %d refid %s", rc->unit, rc->refid);
	emit_fudge_line(out, len, find_line(cf, rc->unit), fresh, 2, "time1", c, true,
			dropped_time2);
}

void emit_ntpsec(const struct cal_correction *c, const struct cal_refclock *rc,
		 const struct conf_file *cf, struct cal_emit *e)
{
	memset(e, 0, sizeof(*e));
	e->target = "ntpsec";
	bool dropped;
	build(c, rc, cf, e->lines[0], sizeof(e->lines[0]), &dropped);
	e->nlines = 1;
	int k = snprintf(e->note, sizeof(e->note), "%s",
		c->layer == CAL_LAYER_REFCLOCK ?
		"time1 (seconds) is the SHM driver's offset fudge: sample = reference - local + "
		"time1 (ntpsec refclock_shm.c, ntp_refclock.c), so a positive time1 makes the "
		"refclock read later. Not time2: for SHM time2 is the maximum allowed difference "
		"(values under 1 s are ignored), so the guide's 'time2 0.000180' changes nothing." :
		"no time1: the bias is corrected in ptp4l (delayAsymmetry), never in both layers. "
		"Not time2 either: for SHM it is the maximum allowed difference, not an offset.");
	if (dropped && k > 0 && (size_t)k < sizeof(e->note))
		snprintf(e->note + k, sizeof(e->note) - (size_t)k,
			 " The existing time2 below 1 s is removed (ignored by the SHM driver).");
}

bool ntpsec_apply(struct conf_file *cf, const struct cal_correction *c,
		  const struct cal_refclock *rc)
{
	char line[600];
	bool dropped;
	build(c, rc, cf, line, sizeof(line), &dropped);
	int unit = rc->unit;
	return conf_directive_set(cf, is_shm_line, &unit, line,
				  find_line(cf, unit) ? NULL :
				  "PTP via phc2sys -E ntpshm (calibrated by ptpcal calibrate)");
}
