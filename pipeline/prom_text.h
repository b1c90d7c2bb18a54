/* The Prometheus text exposition format (version 0.0.4, what node_exporter's textfile
 * collector and every Prometheus server read), written into a growing buffer.
 *
 * Format (prometheus.io/docs/instrumenting/exposition_formats): per metric family one
 * "# HELP name text" (help escapes \ and newline) and one "# TYPE name gauge|counter|summary|
 * untyped" line before its samples, all samples of a family together; a sample is
 * name{label="value",...} value, label values escaping \, " and newline; values as Go's
 * ParseFloat reads them, with NaN, +Inf and -Inf. Names match [a-zA-Z_:][a-zA-Z0-9_:]*,
 * label names [a-zA-Z_][a-zA-Z0-9_]*: they are constants in ptpcal, asserted in debug
 * builds rather than escaped. No timestamps (the textfile collector refuses them). */
#ifndef PTPCAL_PROM_TEXT_H
#define PTPCAL_PROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct prom_buf {
	char *s;
	size_t len, cap;
	const char *family; /* the family whose samples are being written */
};

void prom_reset(struct prom_buf *b); /* empty it, keeping the memory */
void prom_free(struct prom_buf *b);

/* Start a family: HELP and TYPE lines (type "gauge", "counter", "summary", "untyped"). */
void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help);
/* One sample of the current family: name suffix ("" or "_sum", "_count"), up to 4 label
 * pairs as a NULL-terminated list {"name", "value", ..., NULL} (labels may be NULL). */
void prom_sample(struct prom_buf *b, const char *suffix, const char *const *labels, double v);
/* A family with a single unlabelled sample. */
void prom_gauge(struct prom_buf *b, const char *name, const char *help, double v);

/* Helpers, exposed for the unit tests. */
bool prom_valid_name(const char *name, bool label);
/* Append v as the format wants it: NaN, +Inf, -Inf, or the shortest exact decimal. */
void prom_append_value(struct prom_buf *b, double v);

#endif
