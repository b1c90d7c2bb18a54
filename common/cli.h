/* Command-line conventions shared by every subcommand:
 *   ptpcal CMD --help     usage on stdout, exit 0
 *   bad usage             "ptpcal CMD: problem (see 'ptpcal CMD --help')", exit 2
 * and strict parsers for the values options take (durations, numbers, sizes). */
#ifndef PTPCAL_CLI_H
#define PTPCAL_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* A subcommand: its entry point and one line of help. The table lives in ptpcal.c. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
};

/* Prints "ptpcal CMD: <message> (see 'ptpcal CMD --help')" and returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "1h", "90m", "10min", "30s", "250ms", "1h30m", or a plain number of seconds ("2.5").
 * Result in nanoseconds; false on anything else or a negative value. */
bool parse_duration(const char *s, int64_t *ns_out);
/* "100M", "2G", "512k" (powers of 1024) or plain bytes. */
bool parse_size(const char *s, uint64_t *out);
/* A number with an optional SI time unit, returned in nanoseconds: "180us", "-2.5µs",
 * "0.000180s", "150ns", "1ms"; a bare number means the given default unit (ns per unit). */
bool parse_time_value(const char *s, double default_unit_ns, double *ns_out);
bool parse_double_arg(const char *opt, const char *s, double *out);
bool parse_int_arg(const char *opt, const char *s, long min, long max, long *out);

/* getopt_long returned '?': "ptpcal CMD: unknown option or missing value: --frob ...", one
 * line naming the option (getopt's own message is off: opterr = 0). Returns EXIT_USAGE. */
int cli_bad_option(int argc, char **argv);
/* getopt_long state reset, for commands that call one another. */
void cli_reset_getopt(void);

/* Human formatting of a duration in ns: "1 h 02 min", "12.3 s", "850 ms". */
const char *fmt_duration(double ns, char *buf, int len);
/* A time value in ns with a sensible SI prefix: "180.0 µs", "-12.3 ns", "1.250 ms". */
const char *fmt_si_time(double ns, char *buf, int len);

#endif
