/* Classic ntpd (ntp.org 4.2.8): `server 127.127.28.N` + `fudge 127.127.28.N time1 X refid PTP`.
 *
 * Checked in the ntp.org history kept in the ntpsec mirror (tag NTP_4_2_8P2):
 * refclock_shm.c calls refclock_process_offset(pp, tsref, tsrcv, pp->fudgetime1) and
 * ntp_refclock.c records SAMPLE(doffset + fudge) with doffset = reference - receive time:
 * the same sign as ntpsec (positive time1 makes the refclock read later); time2 is the SHM
 * driver's maximum difference (< 1 s ignored, 4 h default), not an offset. Type 28 is SHM,
 * unit N is segment N (key 0x4e545030 + N). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calibrate/emit.h"

struct match_ctx {
	const char *keyword;
	char addr[32];
};

static bool is_line(const char *line, void *vctx)
{
	const struct match_ctx *m = vctx;
	char buf[4200];
	const char *tok[EMIT_MAXTOK];
	int n = conf_tokens(line, buf, sizeof(buf), tok, EMIT_MAXTOK);
	return n >= 2 && !strcasecmp(tok[0], m->keyword) && !strcmp(tok[1], m->addr);
}

static const char *find(const struct conf_file *cf, const char *keyword, int unit)
{
	struct match_ctx m = { keyword, "" };
	snprintf(m.addr, sizeof(m.addr), "127.127.28.%d", unit);
	return emit_find_line(cf, is_line, &m);
}

bool ntpd_read_time1(const struct conf_file *cf, int unit, double *time1_s, bool *bad)
{
	return emit_read_seconds(cf, find(cf, "fudge", unit), 2, "time1", time1_s, bad);
}

static void build(const struct cal_correction *c, const struct cal_refclock *rc,
		  const struct conf_file *cf, char *server, char *fudge, size_t len, bool *dropped)
{
	const char *s = find(cf, "server", rc->unit), *f = find(cf, "fudge", rc->unit);
	if (s)
		snprintf(server, len, "%s", s);
	else
		snprintf(server, len, "server 127.127.28.%d", rc->unit);
	/* The server line is kept as it is (a trailing comment included): only the fudge
	 * changes. */
	char fresh[200];
	snprintf(fresh, sizeof(fresh), "fudge 127.127.28.%d refid %s", rc->unit, rc->refid);
	emit_fudge_line(fudge, len, f, fresh, 2, "time1", c, true, dropped);
}

void emit_ntpd(const struct cal_correction *c, const struct cal_refclock *rc,
	       const struct conf_file *cf, struct cal_emit *e)
{
	memset(e, 0, sizeof(*e));
	e->target = "ntpd";
	bool dropped;
	build(c, rc, cf, e->lines[0], e->lines[1], sizeof(e->lines[0]), &dropped);
	e->nlines = 2;
	snprintf(e->note, sizeof(e->note), "%s%s",
		 c->layer == CAL_LAYER_REFCLOCK ?
		 "classic ntpd's SHM driver (type 28): time1 is the offset fudge in seconds with "
		 "ntpsec's sign (refclock_process_offset); time2 is not an offset." :
		 "no time1: the bias is corrected in ptp4l (delayAsymmetry), never in both layers.",
		 dropped ? " The existing time2 below 1 s is removed (ignored by the SHM driver)." : "");
}

bool ntpd_apply(struct conf_file *cf, const struct cal_correction *c, const struct cal_refclock *rc)
{
	char server[600], fudge[600];
	bool dropped;
	build(c, rc, cf, server, fudge, sizeof(server), &dropped);
	struct match_ctx ms = { "server", "" }, mf = { "fudge", "" };
	snprintf(ms.addr, sizeof(ms.addr), "127.127.28.%d", rc->unit);
	snprintf(mf.addr, sizeof(mf.addr), "127.127.28.%d", rc->unit);
	bool had = find(cf, "server", rc->unit) != NULL;
	bool changed = conf_directive_set(cf, is_line, &ms, server,
					  had ? NULL : "PTP via phc2sys -E ntpshm (ptpcal calibrate)");
	return conf_directive_set(cf, is_line, &mf, fudge, NULL) || changed;
}
