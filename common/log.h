/* Error reporting and exit codes shared by every subcommand.
 *
 * Every failure the user can cause (bad input, missing device, broken config) ends in one
 * clear line on stderr, "ptpcal CMD: what went wrong", and a meaningful exit code. */
#ifndef PTPCAL_LOG_H
#define PTPCAL_LOG_H

#include <stddef.h>

enum ptpcal_exit {
	EXIT_OK = 0,       /* success; for checks: everything passed */
	EXIT_FAILED = 1,   /* ran fine, but a check failed (or a calibration was refused) */
	EXIT_USAGE = 2,    /* bad usage or bad input: the user must change something */
	EXIT_INTERNAL = 3, /* out of memory or a bug */
};

/* The subcommand name used as the prefix of messages ("ptpcal capture: ..."). */
void log_set_command(const char *cmd);
const char *log_command(void);

/* Quiet mode silences log_note() and log_warn(); verbose enables log_debug(). */
void log_set_verbosity(int level); /* -1 quiet, 0 normal, 1 verbose, 2 debug */
int log_verbosity(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that cannot fail silently: prints one line and exits EXIT_INTERNAL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
