/* Reading current corrections from config files and applying new ones (apply.h). */
#include "calibrate/apply.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

const char *cal_conf_kind_name(enum cal_conf_kind k)
{
	static const char *const names[] = { "ptp4l", "ntpsec", "ntpd", "chrony" };
	return names[k];
}

enum cal_conf_kind cal_ntp_flavor(const struct conf_file *cf)
{
	bool refclock = false, server28 = false;
	for (size_t i = 0; i < cf->n; i++) {
		char buf[4200];
		const char *tok[4];
		int n = conf_tokens(cf->lines[i], buf, sizeof(buf), tok, 4);
		if (n >= 1 && !strcasecmp(tok[0], "refclock"))
			refclock = true;
		if (n >= 2 && (!strcasecmp(tok[0], "server") || !strcasecmp(tok[0], "fudge")) &&
		    !strncmp(tok[1], "127.127.28.", 11))
			server28 = true;
	}
	return server28 && !refclock ? CAL_CONF_NTPD : CAL_CONF_NTPSEC;
}

int cal_conf_load(struct cal_conf *c, const char *root)
{
	if (root && *root)
		snprintf(c->path, sizeof(c->path), "%s/%s", root, c->given);
	else
		snprintf(c->path, sizeof(c->path), "%s", c->given);
	if (!conf_load(&c->cf, c->path, false))
		return EXIT_USAGE;
	c->loaded = true;
	if (c->kind == CAL_CONF_PTP4L && !conf_ptp4l_validate(&c->cf))
		return EXIT_USAGE;
	return 0;
}

int cal_conf_read_current(struct cal_conf *c, const char *section, int unit,
			  struct cal_current *cur)
{
	bool bad = false, found = false;
	double v = 0;
	switch (c->kind) {
	case CAL_CONF_PTP4L:
		return ptp4l_read_current(&c->cf, section, cur) ? 0 : EXIT_USAGE;
	case CAL_CONF_NTPSEC: found = ntpsec_read_time1(&c->cf, unit, &v, &bad); break;
	case CAL_CONF_NTPD: found = ntpd_read_time1(&c->cf, unit, &v, &bad); break;
	case CAL_CONF_CHRONY: found = chrony_read_offset(&c->cf, unit, &v, &bad); break;
	}
	if (bad)
		return EXIT_USAGE;
	c->has_refclock = found;
	if (found && v != 0) {
		cur->fudge_s = v;
		cur->have_fudge = true;
	}
	return 0;
}

int cal_conf_apply(struct cal_conf *c, const struct cal_correction *corr, const struct cal_current *cur,
		   const char *section, const struct cal_refclock *rc, bool write, FILE *out,
		   bool *changed)
{
	if (c->kind != CAL_CONF_PTP4L && corr->layer == CAL_LAYER_PTP4L && !c->has_refclock) {
		/* Correcting in ptp4l only removes a fudge; a refclock the file does not have is
		 * not added. */
		*changed = false;
		if (out)
			fprintf(out, "%s: no SHM refclock unit %d, nothing to change\n", c->path,
				rc->unit);
		return 0;
	}
	char *old = conf_render(&c->cf);
	switch (c->kind) {
	case CAL_CONF_PTP4L: ptp4l_apply(&c->cf, section, corr, cur); break;
	case CAL_CONF_NTPSEC: ntpsec_apply(&c->cf, corr, rc); break;
	case CAL_CONF_NTPD: ntpd_apply(&c->cf, corr, rc); break;
	case CAL_CONF_CHRONY: chrony_apply(&c->cf, corr, rc); break;
	}
	char *new = conf_render(&c->cf);
	char *diff = conf_diff(old, new, c->path);
	*changed = diff[0] != 0;
	if (out) {
		if (*changed)
			fputs(diff, out);
		else
			fprintf(out, "%s: already holds this correction, no change\n", c->path);
	}
	int rc_ = 0;
	if (write && *changed) {
		bool wrote = false;
		char *backup = NULL;
		if (conf_write_atomic(c->path, new, &wrote, &backup))
			rc_ = EXIT_USAGE;
		else if (out && wrote)
			fprintf(out, "%s: written (backup %s)\n", c->path, backup ? backup : "none");
		free(backup);
	}
	free(old);
	free(new);
	free(diff);
	return rc_;
}

void cal_conf_free(struct cal_conf *c)
{
	if (c->loaded)
		conf_free(&c->cf);
	c->loaded = false;
}
