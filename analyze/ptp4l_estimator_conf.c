/* The estimator's settings from ptp4l.conf or options (ptp4l_estimator_conf.h). */
#include "analyze/ptp4l_estimator_conf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "common/log.h"
#include "common/textin.h"
#include "pipeline/fsroot.h"
#include "pipeline/ptp4l_conf_scan.h"

bool ptp4l_estimator_cfg_set(struct ptp4l_estimator_cfg *c, const char *option, const char *value,
			     char *why, size_t whylen)
{
	if (!strcmp(option, "tsproc_mode")) {
		if (ptp4l_tsproc_mode_parse(value, &c->mode))
			return true;
		snprintf(why, whylen, "tsproc_mode %s: expected filter, raw, filter_weight or "
			 "raw_weight", value);
		return false;
	}
	if (!strcmp(option, "delay_filter")) {
		if (ptp4l_filter_parse(value, &c->filter))
			return true;
		snprintf(why, whylen, "delay_filter %s: expected moving_median or moving_average",
			 value);
		return false;
	}
	if (!strcmp(option, "delay_filter_length")) {
		/* linuxptp util.c get_ranged_int() */
		char *end = NULL;
		errno = 0;
		long v = strtol(value, &end, 0);
		if (end == value || *end) {
			snprintf(why, whylen, "delay_filter_length %s: not an integer", value);
			return false;
		}
		if (errno == ERANGE || v < 1 || v > INT_MAX) {
			snprintf(why, whylen, "delay_filter_length %s: out of range 1..%d", value,
				 INT_MAX);
			return false;
		}
		/* A window longer than any capture changes nothing but memory: cap it. */
		if (v > 1000000) {
			snprintf(why, whylen, "delay_filter_length %s: ptpcal replays at most "
				 "1000000", value);
			return false;
		}
		c->length = (int)v;
		return true;
	}
	snprintf(why, whylen, "%s: not a setting of ptp4l's delay estimator (tsproc_mode, "
		 "delay_filter, delay_filter_length)", option);
	return false;
}

bool ptp4l_estimator_cfg_from_text(struct ptp4l_estimator_cfg *c, const char *text, char *why,
				   size_t whylen)
{
	static const char *const names[] = { "tsproc_mode", "delay_filter", "delay_filter_length" };
	struct ptp4l_scan s;
	ptp4l_scan_text(text, &s);
	bool ok = true;
	/* config.c config_read(): "line %d is not in a section" refuses the file */
	for (int i = 0; i < s.n && ok; i++)
		if (!s.v[i].section[0] || s.v[i].bad_section) {
			snprintf(why, whylen, "line %d: %s", s.v[i].line, s.v[i].bad_section ?
				 "not a section header" : "not in a section (ptp4l refuses the file)");
			ok = false;
		}
	for (int i = 0; i < 3 && ok; i++) {
		const struct ptp4l_line *l = ptp4l_scan_get(&s, "global", names[i]);
		char w[200];
		if (l && !ptp4l_estimator_cfg_set(c, names[i], l->value, w, sizeof(w))) {
			snprintf(why, whylen, "line %d: %s", l->line, w);
			ok = false;
		}
	}
	/* config.c timestamping_enu: software, hardware (default), legacy, onestep, p2p1step */
	const struct ptp4l_line *ts = ptp4l_scan_get(&s, "global", "time_stamping");
	if (ok && ts)
		c->sw_timestamping = !strcmp(ts->value, "software");
	ptp4l_scan_free(&s);
	return ok;
}

/* Text a ptp4l.conf may hold: no control characters but tab, CR and newline. */
static bool text_is_printable(const char *t)
{
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
			return false;
	return true;
}

bool ptp4l_estimator_cfg_from_file(struct ptp4l_estimator_cfg *c, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		log_err("%s: a directory, not a ptp4l.conf", path);
		return false;
	}
	bool plain = textin_check(f, path);
	fclose(f);
	char *text = plain ? fsroot_read(path) : NULL;
	if (!text) {
		if (plain)
			log_err("%s: cannot be read", path);
		return false;
	}
	if (!text_is_printable(text)) {
		free(text);
		log_err("%s: not a text file (a ptp4l.conf holds no control characters)", path);
		return false;
	}
	char why[300];
	bool ok = ptp4l_estimator_cfg_from_text(c, text, why, sizeof(why));
	free(text);
	if (!ok) {
		log_err("%s: %s", path, why);
		return false;
	}
	snprintf(c->source, sizeof(c->source), "%s", path);
	return true;
}

int ptp4l_estimator_cfg_load(struct ptp4l_estimator_cfg *c, const char *conf_path,
			     const char *tsproc_mode, const char *delay_filter,
			     const char *delay_filter_length)
{
	ptp4l_estimator_cfg_default(c);
	if (conf_path && !ptp4l_estimator_cfg_from_file(c, conf_path))
		return EXIT_USAGE;
	static const char *const names[] = { "tsproc_mode", "delay_filter", "delay_filter_length" };
	const char *vals[] = { tsproc_mode, delay_filter, delay_filter_length };
	for (int i = 0; i < 3; i++) {
		char why[300];
		if (!vals[i])
			continue;
		if (!ptp4l_estimator_cfg_set(c, names[i], vals[i], why, sizeof(why))) {
			/* name the command-line option: delay_filter_length -> --delay-filter-length */
			for (char *p = why; *p && *p != ' '; p++)
				if (*p == '_')
					*p = '-';
			return usage_error("--%s", why);
		}
		snprintf(c->source, sizeof(c->source), "%s%s", conf_path ? conf_path : "options",
			 conf_path ? " and options" : "");
	}
	return 0;
}

void ptp4l_estimator_cfg_json(struct json *j, const struct ptp4l_estimator_cfg *c)
{
	json_str(j, "tsproc_mode", ptp4l_tsproc_mode_name(c->mode));
	json_str(j, "delay_filter", ptp4l_filter_name(c->filter));
	json_int(j, "delay_filter_length", c->length);
	json_str(j, "settings_from", c->source);
}
