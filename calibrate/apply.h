/* The config files a calibration reads its current corrections from and edits: loaded once
 * (optionally below a staging root), read for the current values, edited to the new ones,
 * shown as a unified diff, and written only with --apply (common/conf_edit.h: temporary file,
 * fsync, rename, timestamped backup, idempotent; on any error the original stays intact). */
#ifndef PTPCAL_APPLY_H
#define PTPCAL_APPLY_H

#include <stdbool.h>
#include <stdio.h>

#include "calibrate/correction.h"
#include "calibrate/emit.h"
#include "common/conf_edit.h"

enum cal_conf_kind { CAL_CONF_PTP4L, CAL_CONF_NTPSEC, CAL_CONF_NTPD, CAL_CONF_CHRONY };

struct cal_conf {
	enum cal_conf_kind kind;
	const char *given;   /* the path as the user gave it */
	char path[1200];     /* below --root if given */
	struct conf_file cf;
	bool loaded;
	bool has_refclock; /* refclock files: a line for the unit exists (after read_current) */
};

/* "auto" flavour of an ntp.conf: classic ntpd when it has a `server 127.127.28.N` line and
 * no `refclock` line, else ntpsec (Debian 12's ntp package is ntpsec). */
enum cal_conf_kind cal_ntp_flavor(const struct conf_file *cf);

/* Loads c->given below root (NULL: none). Exit code (EXIT_USAGE after one line: missing,
 * unreadable, or a ptp4l.conf ptp4l itself would reject). */
int cal_conf_load(struct cal_conf *c, const char *root);
/* Reads the current correction the file holds into cur (ptp4l: delayAsymmetry and the
 * latencies of section; refclocks: the fudge of unit). Exit code. */
int cal_conf_read_current(struct cal_conf *c, const char *section, int unit,
			  struct cal_current *cur);
/* Edits to the correction, prints the diff (or "no change") to out, and writes the file when
 * write. Exit code (EXIT_USAGE when the write failed; the original is then intact). */
int cal_conf_apply(struct cal_conf *c, const struct cal_correction *corr, const struct cal_current *cur,
		   const char *section, const struct cal_refclock *rc, bool write, FILE *out,
		   bool *changed);
void cal_conf_free(struct cal_conf *c);
const char *cal_conf_kind_name(enum cal_conf_kind k);

#endif
