/* A small, strict JSON reader (RFC 8259) for reading ptpcal's own --json output back in
 * (the report reads `analyze --json`, `calibrate --json`). It builds a DOM in one pass.
 *
 * Strict: exactly one value with optional surrounding white space; no comments, trailing
 * commas, single quotes, leading zeros, NaN/Infinity or control characters in strings;
 * strings must be valid UTF-8 and \u escapes valid UTF-16 (paired surrogates); "\u0000" is
 * refused (values are C strings); duplicate keys in one object are refused; nesting is
 * limited to JR_MAX_DEPTH. Every access is bounds-checked and a missing member or a value of
 * the wrong type reads as "absent" (NULL / NAN / false), never as a crash.
 * Integers without fraction or exponent that fit in int64 are also kept exactly
 * (ns timestamps such as "start_ns" exceed a double's 53 bits). */
#ifndef PTPCAL_JSON_READ_H
#define PTPCAL_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JR_MAX_DEPTH 64
#define JR_MAX_FILE (64u << 20) /* bytes jr_parse_file accepts */

enum jr_type { JR_NULL, JR_BOOL, JR_NUMBER, JR_STRING, JR_ARRAY, JR_OBJECT };

struct jr_value {
	enum jr_type type;
	bool boolean;
	bool is_int;      /* number written as an integer that fits int64: `integer` is exact */
	int64_t integer;
	double number;
	char *string;     /* NUL-terminated UTF-8 (JR_STRING) */
	size_t n;         /* elements of an array / members of an object */
	struct jr_value *items;
	char **keys;      /* JR_OBJECT: keys[i] names items[i] */
};

/* Parses text[0..len). NULL on error, with "line L, column C: reason" in err. */
struct jr_value *jr_parse(const char *text, size_t len, char *err, size_t errlen);
/* Reads and parses a file; NULL after printing "PATH: line L, column C: reason". */
struct jr_value *jr_parse_file(const char *path);
void jr_free(struct jr_value *v);

/* Member of an object, or NULL (missing, or v is not an object / is NULL). */
const struct jr_value *jr_get(const struct jr_value *v, const char *key);
/* Element i of an array, or NULL. */
const struct jr_value *jr_at(const struct jr_value *v, size_t i);
/* Array length, 0 for anything else. */
size_t jr_len(const struct jr_value *v);
/* A number, or NAN (null, missing, not a number). */
double jr_num(const struct jr_value *v);
/* An exact integer; false if v is not a number written as an int64 integer. */
bool jr_int(const struct jr_value *v, int64_t *out);
/* A string, or NULL. */
const char *jr_str(const struct jr_value *v);
/* true only for a JSON true; *known says whether v was a boolean at all. */
bool jr_bool(const struct jr_value *v, bool *known);
bool jr_is_null(const struct jr_value *v); /* JSON null (not a missing member) */

#endif
