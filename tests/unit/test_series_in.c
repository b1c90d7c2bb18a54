/* The plain series reader: accepted forms give the values written; each kind of bad input is
 * refused with a "file:line:" message naming the right line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/series_in.h"
#include "tests/unit/testutil.h"

/* Parse text, expecting failure; returns the message printed on stderr. */
static char *parse_fails(const char *text)
{
	const char *errpath = tu_path("series-stderr.txt");
	fflush(stderr);
	ck_assert(freopen(errpath, "w", stderr) != NULL);
	struct value_series s;
	int rc = value_series_parse(text, strlen(text), "in.txt", &s);
	fflush(stderr);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(s.v);
	ck_assert_uint_eq(s.n, 0);
	return tu_read_file(errpath);
}

static void expect_error(const char *text, const char *where, const char *what)
{
	char *msg = parse_fails(text);
	ck_assert_msg(strstr(msg, where) && strstr(msg, what), "for %s got: %s", text, msg);
	ck_assert_msg(strchr(msg, '\n') == msg + strlen(msg) - 1, "not one line: %s", msg);
	free(msg);
}

START_TEST(accepted_forms)
{
	const char *text = "# phase, seconds\n"
			   "1.5e-9\n"
			   "  -2.25e-9  \t# a note\r\n"
			   "\t# indented comment\n"
			   "3\n"
			   "+4.0E+00\n"
			   "0.000000000125\n"
			   "5e-320\n" /* subnormal: kept */
			   "\n\n";
	struct value_series s;
	ck_assert_int_eq(value_series_parse(text, strlen(text), "in.txt", &s), 0);
	ck_assert_uint_eq(s.n, 6);
	ck_assert(s.v[0] == 1.5e-9);
	ck_assert(s.v[1] == -2.25e-9);
	ck_assert(s.v[2] == 3.0);
	ck_assert(s.v[3] == 4.0);
	ck_assert(s.v[4] == 1.25e-10);
	ck_assert(s.v[5] > 0 && s.v[5] < 1e-300);
	value_series_free(&s);
	ck_assert_ptr_null(s.v);
	/* no final newline */
	ck_assert_int_eq(value_series_parse("1\n2", 3, "x", &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert(s.v[1] == 2.0);
	value_series_free(&s);
}
END_TEST

START_TEST(rejected_forms)
{
	expect_error("1\n2\nabc\n", "in.txt:3:", "not a number");
	expect_error("1\n2x\n", "in.txt:2:", "not a");
	expect_error("1\nnan\n", "in.txt:2:", "not a finite number");
	expect_error("-inf\n", "in.txt:1:", "not a finite number");
	expect_error("1\n1e999\n", "in.txt:2:", "not a finite number");
	expect_error("1 2\n", "in.txt:1:", "more than one value");
	expect_error("1,5\n", "in.txt:1:", "not a number");
	expect_error("0x10\n", "in.txt:1:", "not a decimal number");
	expect_error("1\n\n2\n", "in.txt:2:", "empty line");
	expect_error("1\n  \t\n# c\n2\n", "in.txt:2:", "empty line");
	expect_error("", "in.txt:", "no values");
	expect_error("# only a comment\n\n", "in.txt:", "no values");
	char longtok[200];
	memset(longtok, '1', sizeof(longtok) - 1);
	longtok[sizeof(longtok) - 1] = 0;
	expect_error(longtok, "in.txt:1:", "not a number");
	/* a NUL inside a line */
	const char withnul[] = "1\n2\0003\n";
	const char *errpath = tu_path("series-stderr2.txt");
	ck_assert(freopen(errpath, "w", stderr) != NULL);
	struct value_series s;
	ck_assert_int_eq(value_series_parse(withnul, sizeof(withnul) - 1, "in.txt", &s), -1);
	fflush(stderr);
	char *msg = tu_read_file(errpath);
	ck_assert_msg(strstr(msg, "in.txt:2:"), "%s", msg);
	free(msg);
}
END_TEST

START_TEST(files)
{
	const char *p = tu_path("series.txt");
	tu_write_file(p, "# freq\n1e-11\n-2e-11\n3e-11\n");
	struct value_series s;
	ck_assert_int_eq(value_series_read(p, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert(s.v[2] == 3e-11);
	value_series_free(&s);
	/* many values: the array grows */
	FILE *f = fopen(p, "w");
	for (int i = 0; i < 5000; i++)
		fprintf(f, "%d\n", i);
	fclose(f);
	ck_assert_int_eq(value_series_read(p, &s), 0);
	ck_assert_uint_eq(s.n, 5000);
	ck_assert(s.v[4999] == 4999.0);
	value_series_free(&s);

	const char *errpath = tu_path("series-stderr3.txt");
	ck_assert(freopen(errpath, "w", stderr) != NULL);
	ck_assert_int_eq(value_series_read(tu_path("does-not-exist.txt"), &s), -1);
	tu_write_file(p, "1\nbad\n");
	ck_assert_int_eq(value_series_read(p, &s), -1);
	ck_assert_int_eq(value_series_read(tu_tmpdir(), &s), -1); /* a directory */
	fflush(stderr);
	char *msg = tu_read_file(errpath);
	ck_assert_msg(strstr(msg, "does-not-exist.txt: No such file"), "%s", msg);
	ck_assert_msg(strstr(msg, "series.txt:2: not a number"), "%s", msg);
	free(msg);
}
END_TEST

/* A file large enough to be read in two halves on two threads (9.9 MB): the values and the
 * errors are those of one pass over it, with the line numbers of the whole file. */
static char *big_file(const char *p, long garbage_at, long blank_from, long blank_to)
{
	FILE *f = fopen(p, "w");
	for (long i = 1; i <= 900000; i++) {
		if (i == garbage_at)
			fputs("12x.5\n", f);
		else if (i >= blank_from && i <= blank_to)
			fputs("\n", f);
		else
			fprintf(f, "%06ld.%03ld\n", i % 1000000, i % 997);
	}
	fclose(f);
	return tu_read_file(p);
}

static char *read_fails(const char *p)
{
	const char *errpath = tu_path("series-stderr4.txt");
	fflush(stderr);
	ck_assert(freopen(errpath, "w", stderr) != NULL);
	struct value_series s;
	ck_assert_int_eq(value_series_read(p, &s), -1);
	fflush(stderr);
	return tu_read_file(errpath);
}

START_TEST(large_file_in_halves)
{
	const char *p = tu_path("series-big.txt");
	char *text = big_file(p, 0, 0, 0);
	struct value_series a, b;
	ck_assert_int_eq(value_series_read(p, &a), 0);
	ck_assert_int_eq(value_series_parse(text, strlen(text), "big", &b), 0);
	ck_assert_uint_eq(a.n, 900000);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert(memcmp(a.v, b.v, a.n * sizeof(double)) == 0);
	value_series_free(&a);
	value_series_free(&b);
	free(text);
	/* garbage in the second half: its line in the whole file */
	free(big_file(p, 800000, 0, 0));
	char *msg = read_fails(p);
	ck_assert_msg(strstr(msg, "series-big.txt:800000: not a number") && !strchr(msg, '\n')[1],
		      "%s", msg);
	free(msg);
	/* blank lines around the middle, wherever the cut falls: the first of them */
	free(big_file(p, 0, 449990, 450010));
	msg = read_fails(p);
	ck_assert_msg(strstr(msg, "series-big.txt:449990: empty line before more values"), "%s",
		      msg);
	free(msg);
	/* an error in each half: the first one, alone */
	free(big_file(p, 800000, 100, 100));
	msg = read_fails(p);
	ck_assert_msg(strstr(msg, "series-big.txt:100: empty line") && !strchr(msg, '\n')[1], "%s",
		      msg);
	free(msg);
}
END_TEST

/* The halves parsed into their places in one array: comment lines in the first half leave
 * a gap that is closed, comments in the second and a last line without its '\n' are counted;
 * the values are those of one pass. */
START_TEST(large_file_halves_with_comments)
{
	const char *p = tu_path("series-big2.txt");
	FILE *f = fopen(p, "w");
	for (long i = 1; i <= 900000; i++) {
		if (i % 100000 == 7)
			fputs("# a comment line\n", f);
		fprintf(f, "%ld.%03ld%s", i, i % 997, i == 900000 ? "" : "  # note\n");
	}
	fclose(f);
	char *text = tu_read_file(p);
	struct value_series a, b;
	ck_assert_int_eq(value_series_read(p, &a), 0);
	ck_assert_int_eq(value_series_parse(text, strlen(text), "big2", &b), 0);
	ck_assert_uint_eq(a.n, 900000);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert(memcmp(a.v, b.v, a.n * sizeof(double)) == 0);
	ck_assert(a.v[899999] == 900000 + (900000 % 997) / 1000.0);
	value_series_free(&a);
	value_series_free(&b);
	free(text);
}
END_TEST

Suite *series_in_suite(void)
{
	Suite *s = suite_create("series_in");
	TCase *tc = tcase_create("series_in");
	tcase_add_test(tc, accepted_forms);
	tcase_add_test(tc, rejected_forms);
	tcase_add_test(tc, files);
	tcase_add_test(tc, large_file_in_halves);
	tcase_add_test(tc, large_file_halves_with_comments);
	suite_add_tcase(s, tc);
	return s;
}
