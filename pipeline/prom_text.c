/* See prom_text.h. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/numfmt.h"
#include "pipeline/prom_text.h"

static void reserve(struct prom_buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

static void put(struct prom_buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_(struct prom_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* HELP text escapes \ and newline; label values also ". */
static void put_escaped(struct prom_buf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			put(b, "\\\\", 2);
		else if (*s == '\n')
			put(b, "\\n", 2);
		else if (quote && *s == '"')
			put(b, "\\\"", 2);
		else
			put(b, s, 1);
	}
}

void prom_reset(struct prom_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
	b->family = NULL;
}

void prom_free(struct prom_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

bool prom_valid_name(const char *name, bool label)
{
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			     (!label && c == ':');
		if (!alpha && !(p > name && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help)
{
	assert(prom_valid_name(name, false));
	b->family = name;
	puts_(b, "# HELP ");
	puts_(b, name);
	puts_(b, " ");
	put_escaped(b, help, false);
	puts_(b, "\n# TYPE ");
	puts_(b, name);
	puts_(b, " ");
	puts_(b, type);
	puts_(b, "\n");
}

void prom_append_value(struct prom_buf *b, double v)
{
	if (isnan(v)) {
		puts_(b, "NaN");
		return;
	}
	if (isinf(v)) {
		puts_(b, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	char tmp[NUMFMT_MAX + 1];
	char *e = fmt_double(tmp, v);
	put(b, tmp, (size_t)(e - tmp));
}

void prom_sample(struct prom_buf *b, const char *suffix, const char *const *labels, double v)
{
	assert(b->family);
	puts_(b, b->family);
	puts_(b, suffix ? suffix : "");
	if (labels && labels[0]) {
		puts_(b, "{");
		for (int i = 0; labels[i] && labels[i + 1]; i += 2) {
			assert(prom_valid_name(labels[i], true));
			if (i)
				puts_(b, ",");
			puts_(b, labels[i]);
			puts_(b, "=\"");
			put_escaped(b, labels[i + 1], true);
			puts_(b, "\"");
		}
		puts_(b, "}");
	}
	puts_(b, " ");
	prom_append_value(b, v);
	puts_(b, "\n");
}

void prom_gauge(struct prom_buf *b, const char *name, const char *help, double v)
{
	prom_family(b, name, "gauge", help);
	prom_sample(b, "", NULL, v);
}
