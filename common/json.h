/* A small streaming JSON writer for --json output: objects and arrays nest, commas and
 * escaping are handled, non-finite numbers become null (JSON has no NaN). Keys are given for
 * members of objects and NULL for elements of arrays. */
#ifndef PTPCAL_JSON_H
#define PTPCAL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool pretty;
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val); /* NULL val -> null */
void json_num(struct json *j, const char *key, double val);      /* %.17g-exact, or null */
void json_int(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* An exact time as a string "SEC.NNNNNNNNN" (JSON numbers lose precision in most readers). */
void json_time(struct json *j, const char *key, int64_t ns);
/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif
