#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/log.h"
#include "pipeline/checks.h"

struct check *check_new(struct checks *cs, const char *id, const char *title)
{
	cs->v = xrealloc(cs->v, sizeof(struct check *) * (cs->n + 1));
	struct check *c = xcalloc(1, sizeof(*c));
	cs->v[cs->n++] = c;
	c->id = id;
	c->title = title;
	c->status = CHECK_PASS;
	return c;
}

static char *vfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vfmt(const char *fmt, va_list ap)
{
	char buf[2048];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	return xstrdup(buf);
}

static void add(struct check *c, enum check_status st, const char *where, const char *fix,
		const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void add(struct check *c, enum check_status st, const char *where, const char *fix,
		const char *fmt, va_list ap)
{
	c->f = xrealloc(c->f, sizeof(struct check_finding) * (c->nf + 1));
	struct check_finding *f = &c->f[c->nf++];
	f->where = where ? xstrdup(where) : NULL;
	f->fix = fix ? xstrdup(fix) : NULL;
	f->message = vfmt(fmt, ap);
	if (c->status == CHECK_PASS || c->status == CHECK_SKIP ||
	    (c->status == CHECK_WARN && st == CHECK_FAIL))
		c->status = st;
}

void check_fail(struct check *c, const char *where, const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(c, CHECK_FAIL, where, fix, fmt, ap);
	va_end(ap);
}

void check_warn(struct check *c, const char *where, const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(c, CHECK_WARN, where, fix, fmt, ap);
	va_end(ap);
}

void check_detail(struct check *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(c->detail);
	c->detail = vfmt(fmt, ap);
	va_end(ap);
}

void check_skip(struct check *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(c->detail);
	c->detail = vfmt(fmt, ap);
	va_end(ap);
	if (c->nf == 0)
		c->status = CHECK_SKIP;
}

void checks_free(struct checks *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		struct check *c = cs->v[i];
		for (size_t k = 0; k < c->nf; k++) {
			free(c->f[k].where);
			free(c->f[k].message);
			free(c->f[k].fix);
		}
		free(c->f);
		free(c->detail);
		free(c);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

const char *check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return "PASS";
	case CHECK_WARN: return "WARN";
	case CHECK_FAIL: return "FAIL";
	case CHECK_SKIP: return "SKIP";
	}
	return "?";
}

bool checks_failed(const struct checks *cs, bool warn_fails)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i]->status == CHECK_FAIL || (warn_fails && cs->v[i]->status == CHECK_WARN))
			return true;
	return false;
}

void checks_print_text(const struct checks *cs, bool verbose)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct check *c = cs->v[i];
		printf("%-4s %-22s %s", check_status_name(c->status), c->id, c->title);
		if (c->detail && (c->status == CHECK_SKIP || c->status == CHECK_PASS || verbose))
			printf(": %s", c->detail);
		putchar('\n');
		for (size_t k = 0; k < c->nf; k++) {
			const struct check_finding *f = &c->f[k];
			printf("     %s%s%s\n", f->where ? f->where : "", f->where ? ": " : "", f->message);
			if (f->fix)
				printf("       fix: %s\n", f->fix);
		}
	}
}

void checks_print_json(const struct checks *cs, const char *schema, const char *root, bool failed)
{
	struct json j;
	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "schema", schema);
	json_str(&j, "root", root);
	json_arr_begin(&j, "checks");
	for (size_t i = 0; i < cs->n; i++) {
		const struct check *c = cs->v[i];
		json_obj_begin(&j, NULL);
		json_str(&j, "id", c->id);
		json_str(&j, "title", c->title);
		json_str(&j, "status", check_status_name(c->status));
		json_str(&j, "detail", c->detail);
		json_arr_begin(&j, "findings");
		for (size_t k = 0; k < c->nf; k++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "where", c->f[k].where);
			json_str(&j, "message", c->f[k].message);
			json_str(&j, "fix", c->f[k].fix);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_bool(&j, "failed", failed);
	json_obj_end(&j);
	json_finish(&j);
}
