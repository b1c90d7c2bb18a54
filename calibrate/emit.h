/* The config lines each daemon needs for a calibration, read back from and written into its
 * config file. One emitter per daemon (emit_ptp4l.c, emit_ntpsec.c, emit_ntpd.c,
 * emit_chrony.c); the numbers come from correction.h, the file edits from
 * common/conf_edit.h. Every emitter preserves the options of an existing directive it
 * rewrites and changes only the offset it owns. */
#ifndef PTPCAL_EMIT_H
#define PTPCAL_EMIT_H

#include <stdbool.h>

#include "calibrate/correction.h"
#include "common/conf_edit.h"

#define EMIT_MAX_LINES 6

struct cal_emit {
	const char *target; /* ptp4l, ntpsec, ntpd, chrony */
	char lines[EMIT_MAX_LINES][300];
	int nlines;
	char note[900];
};

/* Where the refclock is: SHM unit/segment N, refid. */
struct cal_refclock {
	int unit;
	char refid[8];
};

/* ---- ptp4l ---- */
/* Reads delayAsymmetry, ingressLatency, egressLatency of section into cur (absent: 0).
 * False after one line when a value is not an integer (ptp4l would refuse it too). */
bool ptp4l_read_current(const struct conf_file *cf, const char *section, struct cal_current *cur);
void emit_ptp4l(const struct cal_correction *c, const struct cal_current *cur,
		const char *section, struct cal_emit *e);
/* Edits cf to the correction; true if the text changed. */
bool ptp4l_apply(struct conf_file *cf, const char *section, const struct cal_correction *c,
		 const struct cal_current *cur);

/* ---- ntpsec: refclock shm unit N ... time1 X ---- */
/* The fudge of the `refclock shm unit N` line (time1, seconds); false if no such line.
 * *bad is set (after one line) when the value does not parse. */
bool ntpsec_read_time1(const struct conf_file *cf, int unit, double *time1_s, bool *bad);
void emit_ntpsec(const struct cal_correction *c, const struct cal_refclock *rc,
		 const struct conf_file *cf, struct cal_emit *e);
bool ntpsec_apply(struct conf_file *cf, const struct cal_correction *c,
		  const struct cal_refclock *rc);

/* ---- classic ntpd: server 127.127.28.N + fudge 127.127.28.N time1 X ---- */
bool ntpd_read_time1(const struct conf_file *cf, int unit, double *time1_s, bool *bad);
void emit_ntpd(const struct cal_correction *c, const struct cal_refclock *rc,
	       const struct conf_file *cf, struct cal_emit *e);
bool ntpd_apply(struct conf_file *cf, const struct cal_correction *c, const struct cal_refclock *rc);

/* ---- chrony: refclock SHM N ... offset X ---- */
bool chrony_read_offset(const struct conf_file *cf, int unit, double *offset_s, bool *bad);
void emit_chrony(const struct cal_correction *c, const struct cal_refclock *rc,
		 const struct conf_file *cf, struct cal_emit *e);
bool chrony_apply(struct conf_file *cf, const struct cal_correction *c,
		  const struct cal_refclock *rc);

/* ---- shared by the line-directive emitters (emit_util.c) ---- */
/* "%.9f" seconds, without a negative zero. */
void emit_fmt_seconds(char *buf, size_t len, double s);
/* A directive rebuilt from its tokens: option `key` (a key-value pair) set to value, or
 * removed when value is NULL; a `time2` below 1 s is removed when drop_small_time2 (ntpsec
 * and ntpd ignore it for SHM). The first `fixed` tokens are kept as they are; when key is
 * absent it is appended. */
void emit_rebuild(char *out, size_t len, const char *const *tok, int n, int fixed,
		  const char *key, const char *value, bool drop_small_time2, bool *dropped_time2);
/* The value following `key` among tok[from..n), or NULL. */
const char *emit_opt(const char *const *tok, int n, int from, const char *key);
/* Tokens a directive line is split into at the most (conf_tokens). */
#define EMIT_MAXTOK 40
/* The first line of cf (may be NULL) that match accepts, or NULL. */
const char *emit_find_line(const struct conf_file *cf, bool (*match)(const char *line, void *ctx),
			   void *ctx);
/* The seconds after `key` (searched from token `from` on) of line, a line of cf; *s = 0 when
 * absent. False when line is NULL. *bad is set (after one line naming cf) when the value
 * does not parse. */
bool emit_read_seconds(const struct conf_file *cf, const char *line, int from, const char *key,
		       double *s, bool *bad);
/* The directive for correction c: line (fresh when NULL) rebuilt by emit_rebuild with `key`
 * set to the fudge in seconds on the refclock layer, removed when ptp4l carries the bias. */
void emit_fudge_line(char *out, size_t len, const char *line, const char *fresh, int fixed,
		     const char *key, const struct cal_correction *c, bool drop_small_time2,
		     bool *dropped_time2);

#endif
