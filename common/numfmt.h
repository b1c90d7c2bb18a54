/* Fast, locale-independent number formatting for datasets: snprintf costs ~10x more and a
 * one-million-packet capture writes millions of numbers. Each function writes at p and
 * returns the end (no NUL). */
#ifndef PTPCAL_NUMFMT_H
#define PTPCAL_NUMFMT_H

#include <stdint.h>

#define NUMFMT_MAX 40 /* bytes any single call writes at most */

char *fmt_u64(char *p, uint64_t v);
char *fmt_i64(char *p, int64_t v);
/* Exactly `width` digits with leading zeros (v < 10^width). */
char *fmt_u32_width(char *p, uint32_t v, int width);
/* v rounded to `decimals` (0..9) fixed decimals; "nan", "inf", "-inf" for non-finite values.
 * Falls back to %.*g-style exponent form only when |v| >= 1e15. */
char *fmt_fixed(char *p, double v, int decimals);
/* Shortest text that reads back to the same double (%.17g, trimmed). */
char *fmt_double(char *p, double v);

#endif
