#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_read.h"
#include "tests/unit/testutil.h"

static struct jr_value *P(const char *s)
{
	char err[200];
	return jr_parse(s, strlen(s), err, sizeof(err));
}

static const char *E(const char *s)
{
	static char err[200];
	struct jr_value *v = jr_parse(s, strlen(s), err, sizeof(err));
	ck_assert_msg(v == NULL, "accepted: %s", s);
	return err;
}

/* RFC 8259 section 13, first example. */
START_TEST(rfc_example)
{
	const char *txt =
		"{\n"
		"  \"Image\": {\n"
		"    \"Width\":  800,\n"
		"    \"Height\": 600,\n"
		"    \"Title\":  \"View from 15th Floor\",\n"
		"    \"Thumbnail\": {\n"
		"      \"Url\":    \"http://www.example.com/image/481989943\",\n"
		"      \"Height\": 125,\n"
		"      \"Width\":  100\n"
		"    },\n"
		"    \"Animated\" : false,\n"
		"    \"IDs\": [116, 943, 234, 38793]\n"
		"  }\n"
		"}\n";
	struct jr_value *v = P(txt);
	ck_assert_ptr_nonnull(v);
	const struct jr_value *img = jr_get(v, "Image");
	ck_assert_double_eq(jr_num(jr_get(img, "Width")), 800);
	ck_assert_str_eq(jr_str(jr_get(img, "Title")), "View from 15th Floor");
	ck_assert_str_eq(jr_str(jr_get(jr_get(img, "Thumbnail"), "Url")),
			 "http://www.example.com/image/481989943");
	bool known = false;
	ck_assert(!jr_bool(jr_get(img, "Animated"), &known));
	ck_assert(known);
	const struct jr_value *ids = jr_get(img, "IDs");
	ck_assert_uint_eq(jr_len(ids), 4);
	ck_assert_double_eq(jr_num(jr_at(ids, 3)), 38793);
	ck_assert_ptr_null(jr_at(ids, 4));
	/* missing members and wrong types read as absent */
	ck_assert(isnan(jr_num(jr_get(img, "Nope"))));
	ck_assert(isnan(jr_num(jr_get(img, "Title"))));
	ck_assert_ptr_null(jr_str(jr_get(img, "Width")));
	ck_assert_ptr_null(jr_get(ids, "Width"));
	ck_assert_ptr_null(jr_get(NULL, "x"));
	jr_free(v);
}
END_TEST

START_TEST(numbers)
{
	struct jr_value *v = P("[0, -0, 1.5e3, -2.25E-2, 1e+2, 1700000000123456789, "
			       "9223372036854775808, 0.1, null]");
	ck_assert_ptr_nonnull(v);
	ck_assert_double_eq(jr_num(jr_at(v, 0)), 0);
	ck_assert_double_eq(jr_num(jr_at(v, 2)), 1500);
	ck_assert_double_eq(jr_num(jr_at(v, 3)), -0.0225);
	ck_assert_double_eq(jr_num(jr_at(v, 4)), 100);
	int64_t i = 0;
	/* exact beyond 2^53: a double would read ...123456768 */
	ck_assert(jr_int(jr_at(v, 5), &i));
	ck_assert(i == 1700000000123456789LL);
	ck_assert(!jr_int(jr_at(v, 6), &i)); /* does not fit int64 */
	ck_assert_double_eq(jr_num(jr_at(v, 6)), 9223372036854775808.0);
	ck_assert(!jr_int(jr_at(v, 2), &i)); /* written with an exponent */
	ck_assert_double_eq(jr_num(jr_at(v, 7)), 0.1);
	ck_assert(isnan(jr_num(jr_at(v, 8))));
	ck_assert(jr_is_null(jr_at(v, 8)));
	jr_free(v);
}
END_TEST

START_TEST(strings)
{
	struct jr_value *v = P("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00b5s\", \"\xc2\xb5s\", "
			       "\"\\ud834\\udd1e\", \"\\u20AC\"]");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(jr_str(jr_at(v, 0)), "a\"b\\c/d\b\f\n\r\t");
	ck_assert_str_eq(jr_str(jr_at(v, 1)), "\xc2\xb5s");
	ck_assert_str_eq(jr_str(jr_at(v, 2)), "\xc2\xb5s");
	ck_assert_str_eq(jr_str(jr_at(v, 3)), "\xf0\x9d\x84\x9e"); /* U+1D11E G clef */
	ck_assert_str_eq(jr_str(jr_at(v, 4)), "\xe2\x82\xac");
	jr_free(v);
}
END_TEST

START_TEST(rejects)
{
	const char *bad[] = {
		"", " ", "{", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[1e]", "[+1]",
		"[NaN]", "[Infinity]", "[-]", "'a'", "[\"a]", "[\"\\x\"]", "[\"\\u12\"]",
		"[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]", "[\"\\u0000\"]",
		"[\"a\tb\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf5\x80\x80\x80\"]",
		"[\"\xe2\x82\"]", "{\"a\":1,\"a\":2}", "{1:2}", "{\"a\" 1}", "[1 2]", "tru",
		"nul", "[true false]", "1 2", "[1] x", "/* c */ 1", "[1e999]", "{\"a\":}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		E(bad[i]);
	/* position in the message */
	ck_assert_str_eq(E("{\n  \"a\": [1, 2,]\n}"), "line 2, column 14: unexpected character");
	/* NUL inside the buffer is not white space */
	char err[100];
	ck_assert_ptr_null(jr_parse("1\0", 2, err, sizeof(err)));
}
END_TEST

START_TEST(depth)
{
	char deep[2 * JR_MAX_DEPTH + 3];
	int n = JR_MAX_DEPTH;
	for (int i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	deep[2 * n] = '\0';
	struct jr_value *v = P(deep);
	ck_assert_ptr_nonnull(v);
	jr_free(v);
	char deeper[2 * JR_MAX_DEPTH + 3];
	deeper[0] = '[';
	memcpy(deeper + 1, deep, 2 * (size_t)n);
	deeper[2 * n + 1] = ']';
	deeper[2 * n + 2] = '\0';
	ck_assert(strstr(E(deeper), "nesting deeper than") != NULL);
}
END_TEST

START_TEST(file)
{
	const char *path = tu_path("a.json");
	tu_write_file(path, "{\"schema\": \"ptpcal-analyze/1\", \"start_ns\": 1795584296894952376}\n");
	struct jr_value *v = jr_parse_file(path);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(jr_str(jr_get(v, "schema")), "ptpcal-analyze/1");
	int64_t ns;
	ck_assert(jr_int(jr_get(v, "start_ns"), &ns));
	ck_assert(ns == 1795584296894952376LL);
	jr_free(v);
	tu_write_file(path, "{\"schema\": }");
	ck_assert_ptr_null(jr_parse_file(path));
	ck_assert_ptr_null(jr_parse_file(tu_path("missing.json")));
}
END_TEST

Suite *json_read_suite(void)
{
	Suite *s = suite_create("json_read");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rfc_example);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, rejects);
	tcase_add_test(tc, depth);
	tcase_add_test(tc, file);
	suite_add_tcase(s, tc);
	return s;
}
