/* The list of findings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/findings.h"
#include "common/log.h"

void findings_add(struct findings *fl, enum severity sev, const char *code, const char *fmt, ...)
{
	if (fl->n == fl->cap) {
		fl->cap = fl->cap ? 2 * fl->cap : 16;
		fl->f = xrealloc(fl->f, fl->cap * sizeof(*fl->f));
	}
	struct finding *f = &fl->f[fl->n++];
	f->sev = sev;
	snprintf(f->code, sizeof(f->code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

void findings_free(struct findings *fl)
{
	free(fl->f);
	memset(fl, 0, sizeof(*fl));
}

const char *severity_name(enum severity s)
{
	static const char *const names[] = { "ok", "info", "warn", "error" };
	return s <= SEV_ERROR ? names[s] : "?";
}

enum severity findings_worst(const struct findings *fl)
{
	enum severity w = SEV_OK;
	for (size_t i = 0; i < fl->n; i++)
		if (fl->f[i].sev > w)
			w = fl->f[i].sev;
	return w;
}
