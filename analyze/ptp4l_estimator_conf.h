/* Where the replayed estimator's settings come from: the [global] section of the ptp4l.conf
 * in use (clock.c clock_create() reads tsproc_mode, delay_filter and delay_filter_length with
 * config_get_int(config, NULL, ...): the global values; a port section's only reach that
 * port's peer-delay tsproc), or "NAME VALUE" options given on the command line. Values are
 * checked as linuxptp config.c does (enum names exact; the length by get_ranged_int():
 * strtol base 0, the whole string, 1..INT_MAX). */
#ifndef PTPCAL_PTP4L_ESTIMATOR_CONF_H
#define PTPCAL_PTP4L_ESTIMATOR_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/ptp4l_estimator.h"
#include "common/json.h"

/* One setting; false with why ("delay_filter_length 0: out of range 1..2147483647") when
 * ptp4l would refuse it. Unknown option names are not ours: false too. */
bool ptp4l_estimator_cfg_set(struct ptp4l_estimator_cfg *c, const char *option, const char *value,
			     char *why, size_t whylen);
/* The three settings from ptp4l.conf text (absent ones keep c's values). false with why
 * ("line N: ...") on a bad value. */
bool ptp4l_estimator_cfg_from_text(struct ptp4l_estimator_cfg *c, const char *text, char *why,
				   size_t whylen);
/* The same from a file; prints one line "FILE: ..." and returns false on an error. Sets
 * c->source to the path. */
bool ptp4l_estimator_cfg_from_file(struct ptp4l_estimator_cfg *c, const char *path);

/* What analyze and calibrate do with --ptp4l-conf FILE (may be NULL) and the options
 * --tsproc-mode, --delay-filter, --delay-filter-length (each may be NULL; they override the
 * file): linuxptp's defaults, then the file, then the options. Exit code: 0, or EXIT_USAGE
 * after one line. */
int ptp4l_estimator_cfg_load(struct ptp4l_estimator_cfg *c, const char *conf_path,
			     const char *tsproc_mode, const char *delay_filter,
			     const char *delay_filter_length);

/* The settings as JSON members: tsproc_mode, delay_filter, delay_filter_length,
 * settings_from (analyze's and calibrate's ptp4l_estimator objects). */
void ptp4l_estimator_cfg_json(struct json *j, const struct ptp4l_estimator_cfg *c);

#endif
