/* Results of `ptpcal doctor` and `ptpcal verify`: named checks, each PASS, FAIL, WARN or SKIP
 * with its reason, and findings that name a file and line (or a command) and the fix.
 * Printed as text or JSON (schema given by the caller). */
#ifndef PTPCAL_CHECKS_H
#define PTPCAL_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

enum check_status { CHECK_PASS, CHECK_WARN, CHECK_FAIL, CHECK_SKIP };

struct check_finding {
	char *where;   /* "/etc/linuxptp/ptp4l.conf:12", "ethtool -T eth0", "process 1234" */
	char *message;
	char *fix;
};

struct check {
	const char *id;
	const char *title;
	enum check_status status;
	char *detail; /* why it passed / was skipped (one line) */
	struct check_finding *f;
	size_t nf;
};

struct checks {
	struct check **v; /* stable pointers: check_new's result stays valid */
	size_t n;
};

/* A new check, PASS until a finding says otherwise. */
struct check *check_new(struct checks *cs, const char *id, const char *title);
/* A finding: status becomes FAIL (or WARN, which never lowers a FAIL). where may be NULL. */
void check_fail(struct check *c, const char *where, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void check_warn(struct check *c, const char *where, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Why it passed, or why it was skipped (SKIP only if nothing was found). */
void check_detail(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_skip(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void checks_free(struct checks *cs);

const char *check_status_name(enum check_status s);
/* Any FAIL (or, with warn_fails, any WARN). */
bool checks_failed(const struct checks *cs, bool warn_fails);
/* Text: one line per check, findings indented with their fix. JSON: {"schema", "root",
 * "checks":[{"id","title","status","detail","findings":[{"where","message","fix"}]}],
 * "failed": bool}. */
void checks_print_text(const struct checks *cs, bool verbose);
void checks_print_json(const struct checks *cs, const char *schema, const char *root,
		       bool failed);

#endif
