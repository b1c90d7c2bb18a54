/* leap-seconds.list: the installed file against facts known independently of it (TAI−UTC =
 * 10 s from 1972-01-01, 37 s from 2017-01-01; 28 entries; its '#@' comment "File expires on
 * 28 June 2026"), SHA-1 hashes computed with Python's hashlib, and malformed files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/leapfile.h"
#include "tests/unit/testutil.h"

/* POSIX times, from calendar.timegm (Python). */
#define T_1972_01_01 63072000LL
#define T_1972_07_01 78796800LL
#define T_2017_01_01 1483228800LL
#define T_2026_06_28 1782604800LL

/* Digits hashed: "3676924800" "3928521600" "227206080010" "369221760037";
 * hashlib.sha1 of them = 0740a51e 16681825 66763fb4 625d018c 6363dbf4 (first word written
 * without its leading zero, as NIST does). */
static const char small_good[] = "# a comment\n"
				 "#$\t3676924800\n"
				 "#@\t3928521600\n"
				 "2272060800\t10\t# 1 Jan 1972\n"
				 "\n"
				 "3692217600\t37\t# 1 Jan 2017\n"
				 "#h\t740a51e 16681825 66763fb4 625d018c 6363dbf4\n";

static bool parse(const char *text, struct leapfile *lf, char *err)
{
	return leapfile_parse("t.list", text, strlen(text), lf, err, 256);
}

static void expect_bad(const char *text, const char *needle)
{
	struct leapfile lf;
	char err[256] = "";
	ck_assert_msg(!parse(text, &lf, err), "accepted: %s", text);
	ck_assert_msg(strstr(err, needle) != NULL, "error '%s' lacks '%s'", err, needle);
	ck_assert_msg(strncmp(err, "t.list", 6) == 0, "error '%s' does not name the file", err);
	ck_assert_int_eq(lf.n, 0);
	ck_assert_ptr_null(lf.entries);
}

START_TEST(installed_file)
{
	struct leapfile lf;
	char err[256];
	if (!leapfile_load(NULL, &lf, err, sizeof(err)))
		ck_abort_msg("%s", err);
	int v;
	ck_assert(!leapfile_tai_utc(&lf, T_1972_01_01 - 1, &v)); /* before 1972: not an integer */
	ck_assert(leapfile_tai_utc(&lf, T_1972_01_01, &v));
	ck_assert_int_eq(v, 10);
	ck_assert(leapfile_tai_utc(&lf, T_1972_07_01 - 1, &v));
	ck_assert_int_eq(v, 10);
	ck_assert(leapfile_tai_utc(&lf, T_1972_07_01, &v));
	ck_assert_int_eq(v, 11);
	ck_assert(leapfile_tai_utc(&lf, T_2017_01_01 - 1, &v));
	ck_assert_int_eq(v, 36);
	ck_assert(leapfile_tai_utc(&lf, T_2017_01_01, &v));
	ck_assert_int_eq(v, 37);
	ck_assert(leapfile_tai_utc(&lf, 1795000000, &v)); /* Nov 2026 */
	ck_assert_int_eq(v, 37);
	/* 27 leap seconds since the initial 10 s: 28 entries. Debian 12's tzdata may be newer
	 * than this test, so only "at least" and the last value are checked. */
	ck_assert_int_ge(lf.n, 28);
	ck_assert_int_eq(lf.entries[27].tai_utc, 37);
	ck_assert_int_eq(lf.entries[27].since, T_2017_01_01);
	ck_assert_int_eq(lf.hash, LEAP_HASH_GOOD);
	ck_assert_int_gt(lf.expires, T_2017_01_01);
	ck_assert(leapfile_expired(&lf, lf.expires));
	ck_assert(!leapfile_expired(&lf, lf.expires - 1));
	leapfile_free(&lf);
}
END_TEST

/* The file this test was written against (tzdata 2025b): expiry 28 June 2026 per its comment. */
START_TEST(installed_expiry)
{
	struct leapfile lf;
	char err[256];
	ck_assert_msg(leapfile_load(NULL, &lf, err, sizeof(err)), "%s", err);
	if (lf.updated == 3960835200LL - LEAP_NTP_TO_UNIX)
		ck_assert_int_eq(lf.expires, T_2026_06_28);
	leapfile_free(&lf);
}
END_TEST

START_TEST(small_hash_and_lookup)
{
	struct leapfile lf;
	char err[256] = "";
	ck_assert_msg(parse(small_good, &lf, err), "%s", err);
	ck_assert_int_eq(lf.hash, LEAP_HASH_GOOD);
	ck_assert_int_eq(lf.n, 2);
	ck_assert_int_eq(lf.updated, 3676924800LL - 2208988800LL);
	ck_assert_int_eq(lf.expires, 3928521600LL - 2208988800LL);
	int v;
	ck_assert(leapfile_tai_utc(&lf, T_2017_01_01 - 1, &v));
	ck_assert_int_eq(v, 10); /* the file only has two entries */
	const struct leap_entry *e = leapfile_next(&lf, T_1972_01_01);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->since, T_2017_01_01);
	ck_assert_ptr_null(leapfile_next(&lf, T_2017_01_01));
	leapfile_free(&lf);
}
END_TEST

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	ck_assert_ptr_nonnull(at);
	char *out = malloc(strlen(text) + strlen(to) + 1);
	size_t pre = (size_t)(at - text);
	memcpy(out, text, pre);
	strcpy(out + pre, to);
	strcat(out, at + strlen(from));
	return out;
}

START_TEST(hash_rules)
{
	struct leapfile lf;
	char err[256] = "";
	/* Comments (text after '#') are not hashed: still good. */
	char *t = replace(small_good, "# 1 Jan 2017", "# first of January 2017 (edited)");
	ck_assert_msg(parse(t, &lf, err), "%s", err);
	ck_assert_int_eq(lf.hash, LEAP_HASH_GOOD);
	leapfile_free(&lf);
	free(t);
	/* Whitespace is not hashed either. */
	t = replace(small_good, "3692217600\t37", "3692217600    37");
	ck_assert_msg(parse(t, &lf, err), "%s", err);
	ck_assert_int_eq(lf.hash, LEAP_HASH_GOOD);
	leapfile_free(&lf);
	free(t);
	/* A changed value, expiry or update: mismatch, refused (ntpsec LSVALID_BADHASH). */
	t = replace(small_good, "\t37\t", "\t38\t");
	expect_bad(t, "hash mismatch");
	free(t);
	t = replace(small_good, "3928521600", "3928521601");
	expect_bad(t, "hash mismatch");
	free(t);
	t = replace(small_good, "3676924800", "3676924801");
	expect_bad(t, "hash mismatch");
	free(t);
	/* Upper-case hex reads the same. */
	t = replace(small_good, "66763fb4", "66763FB4");
	ck_assert_msg(parse(t, &lf, err), "%s", err);
	leapfile_free(&lf);
	free(t);
	/* No hash: loads, marked unverified (ntpsec LSVALID_NOHASH). */
	t = replace(small_good, "#h\t740a51e 16681825 66763fb4 625d018c 6363dbf4\n", "");
	ck_assert_msg(parse(t, &lf, err), "%s", err);
	ck_assert_int_eq(lf.hash, LEAP_HASH_NONE);
	leapfile_free(&lf);
	free(t);
	/* Malformed hash lines: refused (ntpsec LSVALID_BADFORMAT). */
	const char *bad_hashes[] = { "740a51e 16681825 66763fb4 625d018c",
				     "740a51e 16681825 66763fb4 625d018c 6363dbf4 1",
				     "740a51e 16681825 66763fb4 625d018c 6363dbg4",
				     "740a51e 16681825 66763fb4 625d018c 16363dbf4" };
	for (size_t i = 0; i < sizeof(bad_hashes) / sizeof(bad_hashes[0]); i++) {
		t = replace(small_good, "740a51e 16681825 66763fb4 625d018c 6363dbf4",
			    bad_hashes[i]);
		expect_bad(t, "malformed '#h'");
		free(t);
	}
}
END_TEST

START_TEST(installed_file_edited)
{
	/* One digit changed in the installed file's 2017 line: the real hash must catch it. */
	char *text = tu_read_file(LEAPFILE_DEFAULT);
	char *t = replace(text, "3692217600      37", "3692217600      38");
	struct leapfile lf;
	char err[256] = "";
	ck_assert(!leapfile_parse("edited", t, strlen(t), &lf, err, sizeof(err)));
	ck_assert_msg(strstr(err, "hash mismatch"), "%s", err);
	free(t);
	free(text);
}
END_TEST

START_TEST(malformed)
{
	expect_bad("", "no leap second entries");
	expect_bad("# only comments\n#@ 3928521600\n", "no leap second entries");
	expect_bad("2272060800 10\nhello\n", ":2: not a leap second line");
	expect_bad("2272060800\n", ":1: want 'NTPSECONDS DTAI");
	expect_bad("2272060800 ten\n", ":1: want 'NTPSECONDS DTAI");
	expect_bad("2272060800 10 junk\n", ":1: want 'NTPSECONDS DTAI");
	expect_bad("2272060800x 10\n", ":1: bad NTP time");
	expect_bad("2272060801 10\n", "not 00:00:00 UTC on the first of a month");
	expect_bad("2287785600 11\n2272060800 10\n", ":2: times not ascending");
	expect_bad("2272060800 10\n2272060800 10\n", ":2: times not ascending");
	expect_bad("99999999999999999999 10\n", ":1: bad NTP time");
	expect_bad("12 10\n", "not an NTP time between 1970 and 2036");
	expect_bad("4294967296 10\n", "not an NTP time between 1970 and 2036");
	expect_bad("2272060800 99999\n", "want 'NTPSECONDS DTAI");
	expect_bad("#@\n2272060800 10\n", ":1: '#@' needs one NTP time");
	expect_bad("#$ 1 2\n2272060800 10\n", ":1: '#$' needs one NTP time");
	expect_bad("#@ 3928521600\n#@ 3928521600\n2272060800 10\n", ":2: second '#@'");
	static const char nul[] = "2272060800 10\n\0\n";
	struct leapfile lf;
	char err[256] = "";
	ck_assert(!leapfile_parse("t.list", nul, sizeof(nul) - 1, &lf, err, sizeof(err)));
	ck_assert_msg(strstr(err, "t.list:2: NUL byte"), "%s", err);
	/* CRLF line ends and a final line without newline are fine. */
	ck_assert_msg(parse("#@ 3928521600\r\n2272060800 10\r\n3692217600 37", &lf, err), "%s", err);
	ck_assert_int_eq(lf.n, 2);
	ck_assert(!leapfile_expired(&lf, T_2017_01_01));
	leapfile_free(&lf);
	/* No expiry line: counts as expired (nothing says how long the file holds). */
	ck_assert(parse("2272060800 10\n", &lf, err));
	ck_assert(leapfile_expired(&lf, T_1972_01_01));
	leapfile_free(&lf);
}
END_TEST

START_TEST(missing_file)
{
	struct leapfile lf;
	char err[256] = "";
	ck_assert(!leapfile_load(tu_path("nope.list"), &lf, err, sizeof(err)));
	ck_assert_msg(strstr(err, "nope.list: No such file"), "%s", err);
}
END_TEST

Suite *leapfile_suite(void)
{
	Suite *s = suite_create("leapfile");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, installed_file);
	tcase_add_test(tc, installed_expiry);
	tcase_add_test(tc, small_hash_and_lookup);
	tcase_add_test(tc, hash_rules);
	tcase_add_test(tc, installed_file_edited);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}
