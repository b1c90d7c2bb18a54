/* Findings of an analysis: one line each with a severity and a stable code, reported in the
 * text output and as the "health" array of the JSON (docs/analyze-json.md lists the codes). */
#ifndef PTPCAL_FINDINGS_H
#define PTPCAL_FINDINGS_H

#include <stddef.h>

enum severity { SEV_OK, SEV_INFO, SEV_WARN, SEV_ERROR };

struct finding {
	enum severity sev;
	char code[40];
	char msg[400];
};

struct findings {
	size_t n, cap;
	struct finding *f;
};

void findings_add(struct findings *fl, enum severity sev, const char *code, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
void findings_free(struct findings *fl);
const char *severity_name(enum severity s); /* "ok", "info", "warn", "error" */
/* The worst severity present (SEV_OK if none). */
enum severity findings_worst(const struct findings *fl);

#endif
