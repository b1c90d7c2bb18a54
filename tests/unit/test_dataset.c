#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "tests/unit/testutil.h"

/* Errors are printed to stderr; tests send it to a file to check the message. */
static const char *capture_stderr(void)
{
	const char *p = tu_path("stderr.txt");
	ck_assert(freopen(p, "w", stderr) != NULL);
	return p;
}

static char *stderr_text(const char *p)
{
	fflush(stderr);
	return tu_read_file(p);
}

START_TEST(round_trip_exact)
{
	const char *path = tu_path("rt.tsv");
	struct ds_writer *w = ds_create(path, "truth");
	ck_assert(w != NULL);
	ds_meta(w, "source", "unit test %d", 7);
	ds_meta(w, "note", "tab\there, newline\nthere");
	const char *cols[] = { "t", "value_ns", "count", "label" };
	ds_columns(w, cols, 4);
	srand(7);
	struct ptime times[1000];
	double vals[1000];
	for (int i = 0; i < 1000; i++) {
		times[i].ns = 1700000000000000000LL + (int64_t)rand() * 1000 + i;
		times[i].frac = (uint16_t)(rand() & 0xffff);
		vals[i] = (rand() - RAND_MAX / 2) / 1000.0;
		ds_put_time(w, times[i]);
		ds_put_double(w, vals[i]);
		ds_put_i64(w, -i);
		ds_put_str(w, i % 2 ? "odd" : "even\tx");
		ds_end_row(w);
	}
	ds_meta(w, "rows", "%d", 1000);
	ck_assert_int_eq(ds_rows_written(w), 1000);
	ck_assert_int_eq(ds_close(w), 0);

	struct ds_reader *r = ds_open(path, "truth");
	ck_assert(r != NULL);
	ck_assert_str_eq(ds_kind(r), "truth");
	ck_assert_str_eq(ds_meta_get(r, "source"), "unit test 7");
	ck_assert_str_eq(ds_meta_get(r, "note"), "tab here, newline there");
	ck_assert_int_eq(ds_ncols(r), 4);
	ck_assert_int_eq(ds_col(r, "count"), 2);
	ck_assert_int_eq(ds_col(r, "nope"), -1);
	int i = 0;
	while (ds_next(r) == 1) {
		struct ptime t;
		double v;
		int64_t c;
		ck_assert(ds_get_time(r, 0, &t));
		ck_assert(ds_get_double(r, 1, &v));
		ck_assert(ds_get_i64(r, 2, &c));
		ck_assert_int_eq(t.ns, times[i].ns);
		ck_assert_int_eq(t.frac, times[i].frac);
		ck_assert(v == vals[i]);
		ck_assert_int_eq(c, -i);
		ck_assert_str_eq(ds_field(r, 3), i % 2 ? "odd" : "even x");
		i++;
	}
	ck_assert_int_eq(i, 1000);
	ck_assert(!ds_failed(r));
	/* trailing metadata is read as the rows go past it */
	ck_assert_str_eq(ds_meta_get(r, "rows"), "1000");
	ds_reader_close(r);
}
END_TEST

START_TEST(rejects_bad_headers)
{
	const char *err = capture_stderr();
	const char *p = tu_path("bad.tsv");
	tu_write_file(p, "t\tv\n1\t2\n");
	ck_assert(ds_open(p, NULL) == NULL);
	tu_write_file(p, "# ptpcal-dataset 2 truth\nt\n1\n");
	ck_assert(ds_open(p, NULL) == NULL);
	tu_write_file(p, "# ptpcal-dataset 1 truth\nt\n1\n");
	ck_assert(ds_open(p, "exchanges") == NULL);
	tu_write_file(p, "# ptpcal-dataset 1 truth\n# only: metadata\n");
	ck_assert(ds_open(p, NULL) == NULL);
	tu_write_file(p, "# ptpcal-dataset 1 truth\na\ta\n");
	ck_assert(ds_open(p, NULL) == NULL);
	tu_write_file(p, "# ptpcal-dataset 1 truth\na\t\tb\n");
	ck_assert(ds_open(p, NULL) == NULL);
	ck_assert(ds_open(tu_path("missing.tsv"), NULL) == NULL);
	char *text = stderr_text(err);
	ck_assert_msg(strstr(text, "bad.tsv:1: not a ptpcal dataset") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "bad.tsv:1: dataset format version 2 is not supported") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "kind is 'truth', expected 'exchanges'") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "bad.tsv:2: no column header line") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "duplicate column 'a'") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "empty column name") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "missing.tsv: cannot open") != NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(rejects_bad_rows)
{
	const char *err = capture_stderr();
	const char *p = tu_path("rows.tsv");
	tu_write_file(p, "# ptpcal-dataset 1 truth\nt\tv\n"
			 "1.000000000\t5\n"         /* line 3 ok */
			 "\n# a comment\n"          /* skipped */
			 "2.000000000\t6\t7\n"      /* line 6: too many */
			 "3.0\n"                    /* line 7: too few */
			 "1e9\t5\n"                 /* line 8: not an exact time */
			 "4.000000000\tfive\n"      /* line 9: not a number */
			 "5.000000000\t0x10\n"      /* line 10: hex float */
			 "6.000000000\tnan\n");     /* line 11: nan is fine for doubles */
	struct ds_reader *r = ds_open(p, "truth");
	ck_assert(r != NULL);
	struct ptime t;
	double v;
	int64_t k;
	ck_assert_int_eq(ds_next(r), 1);
	ck_assert(ds_get_time(r, 0, &t) && ds_get_double(r, 1, &v));
	ck_assert_int_eq(ds_next(r), -1);
	ck_assert_int_eq(ds_line(r), 6);
	ck_assert_int_eq(ds_next(r), -1);
	ck_assert_int_eq(ds_next(r), 1);
	ck_assert(!ds_get_time(r, 0, &t));
	ck_assert_int_eq(ds_next(r), 1);
	ck_assert(!ds_get_double(r, 1, &v));
	ck_assert(!ds_get_i64(r, 1, &k));
	ck_assert_int_eq(ds_next(r), 1);
	ck_assert(!ds_get_double(r, 1, &v));
	ck_assert_int_eq(ds_next(r), 1);
	ck_assert(ds_get_double(r, 1, &v) && isnan(v));
	ck_assert(!ds_get_i64(r, 1, &k));
	ck_assert_int_eq(ds_next(r), 0);
	ck_assert(ds_failed(r));
	ds_reader_close(r);
	char *text = stderr_text(err);
	ck_assert_msg(strstr(text, "rows.tsv:6: more than 2 fields") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "rows.tsv:7: 1 fields, the header has 2") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "rows.tsv:8: column 't': '1e9' is not an exact time") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "rows.tsv:9: column 'v': 'five' is not a number") != NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(nul_byte_rejected)
{
	capture_stderr();
	const char *p = tu_path("nul.tsv");
	FILE *f = fopen(p, "wb");
	fwrite("# ptpcal-dataset 1 truth\nt\n1\0\n", 1, 30, f);
	fclose(f);
	struct ds_reader *r = ds_open(p, NULL);
	ck_assert(r != NULL);
	ck_assert_int_eq(ds_next(r), -1);
	ds_reader_close(r);
}
END_TEST

START_TEST(write_failure_reported)
{
	capture_stderr();
	/* /dev/full accepts the open and fails every write with ENOSPC. */
	struct ds_writer *w = ds_create("/dev/full", "truth");
	ck_assert(w != NULL);
	const char *cols[] = { "v" };
	ds_columns(w, cols, 1);
	for (int i = 0; i < 100000; i++) {
		ds_put_i64(w, i);
		ds_end_row(w);
	}
	ck_assert_int_eq(ds_close(w), -1);
	ck_assert(ds_create("/nonexistent/dir/x.tsv", "truth") == NULL);
}
END_TEST

START_TEST(declared_columns_deferred)
{
	/* Metadata may follow the declaration until the first row; a file without rows still
	 * gets its header line at close. */
	const char *p = tu_path("deferred.tsv");
	static const char *const cols[] = { "a", "b" };
	struct ds_writer *w = ds_create(p, "truth");
	ds_declare_columns(w, cols, 2);
	ds_meta(w, "late", "yes");
	ck_assert_int_eq(ds_close(w), 0);
	char *t = tu_read_file(p);
	ck_assert_str_eq(t, "# ptpcal-dataset 1 truth\n# late: yes\na\tb\n");
	free(t);
	w = ds_create(p, "truth");
	ds_declare_columns(w, cols, 2);
	ds_meta(w, "before", "1");
	ds_put_i64(w, 1);
	ds_put_str(w, "x");
	ds_end_row(w);
	ds_meta(w, "after", "2");
	ck_assert_int_eq(ds_close(w), 0);
	t = tu_read_file(p);
	ck_assert_str_eq(t, "# ptpcal-dataset 1 truth\n# before: 1\na\tb\n1\tx\n# after: 2\n");
	free(t);
}
END_TEST

START_TEST(strict_numbers)
{
	double d;
	int64_t i;
	ck_assert(parse_double_strict("-1.5e-3", &d) && d == -1.5e-3);
	ck_assert(!parse_double_strict("1.5x", &d));
	ck_assert(!parse_double_strict("", &d));
	ck_assert(!parse_double_strict("infinity", &d));
	ck_assert(parse_i64_strict("-42", &i) && i == -42);
	ck_assert(!parse_i64_strict("42.0", &i));
	ck_assert(!parse_i64_strict("99999999999999999999", &i));
}
END_TEST

Suite *dataset_suite(void)
{
	Suite *s = suite_create("dataset");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, round_trip_exact);
	tcase_add_test(tc, rejects_bad_headers);
	tcase_add_test(tc, rejects_bad_rows);
	tcase_add_test(tc, nul_byte_rejected);
	tcase_add_test(tc, write_failure_reported);
	tcase_add_test(tc, strict_numbers);
	tcase_add_test(tc, declared_columns_deferred);
	suite_add_tcase(s, tc);
	return s;
}
