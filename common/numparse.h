/* Fast exact decimal-to-double conversion for the readers of series and datasets: strtod
 * costs ~150 ns a number (10^7-point series spend 1.5 s in it). Handles the forms ptpcal and
 * the usual tools write, [+-]DIGITS[.DIGITS][(e|E)[+-]DIGITS] with up to 19 significant
 * digits and a decimal exponent within +-54 of them (numpy's "%.17g", fmt_double, fixed
 * decimals); the result is the double strtod returns (correctly rounded), to the last bit.
 * Anything else -- other syntax, more digits, a rounding too close to call -- returns false,
 * and the caller falls back to strtod (and its error messages). */
#ifndef PTPCAL_NUMPARSE_H
#define PTPCAL_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>

bool numparse_fast(const char *s, size_t len, double *out);
/* The same on the longest number at the start of s[0..len): its length, 0 if there is none
 * the fast paths take (the caller then checks what follows it). */
size_t numparse_prefix(const char *s, size_t len, double *out);

#endif
