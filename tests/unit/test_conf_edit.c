#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf_edit.h"
#include "tests/unit/testutil.h"

static const char *quiet_stderr(void)
{
	const char *p = tu_path("stderr.txt");
	ck_assert(freopen(p, "w", stderr) != NULL);
	return p;
}

static void load_text(struct conf_file *cf, const char *name, const char *text)
{
	const char *p = tu_path(name);
	tu_write_file(p, text);
	ck_assert(conf_load(cf, p, false));
}

static const char guide_client[] =
	"[global]\n"
	"# This node only ever acts as a PTP client.\n"
	"slaveOnly 1\n"
	"clockClass 255\n"
	"\n"
	"  summary_interval 10\n"
	"[eth0]\n"
	"delayAsymmetry 100\n";

START_TEST(ptp4l_get_set)
{
	struct conf_file cf;
	load_text(&cf, "p.conf", guide_client);
	ck_assert(conf_ptp4l_validate(&cf));
	ck_assert_str_eq(conf_ptp4l_get(&cf, "global", "clockClass"), "255");
	ck_assert_str_eq(conf_ptp4l_get(&cf, "eth0", "delayAsymmetry"), "100");
	ck_assert(conf_ptp4l_get(&cf, "global", "delayAsymmetry") == NULL);
	ck_assert(conf_ptp4l_get(&cf, "eth1", "x") == NULL);
	/* same value: no change */
	ck_assert(!conf_ptp4l_set(&cf, "global", "clockClass", "255"));
	/* replace in place, keeping indentation */
	ck_assert(conf_ptp4l_set(&cf, "global", "summary_interval", "4"));
	/* new option in an existing section goes after its last setting */
	ck_assert(conf_ptp4l_set(&cf, "global", "delayAsymmetry", "-75000"));
	/* new section */
	ck_assert(conf_ptp4l_set(&cf, "eth1", "ingressLatency", "12"));
	char *t = conf_render(&cf);
	ck_assert_str_eq(t, "[global]\n"
			    "# This node only ever acts as a PTP client.\n"
			    "slaveOnly 1\n"
			    "clockClass 255\n"
			    "\n"
			    "  summary_interval 4\n"
			    "delayAsymmetry -75000\n"
			    "[eth0]\n"
			    "delayAsymmetry 100\n"
			    "\n"
			    "[eth1]\n"
			    "ingressLatency 12\n");
	free(t);
	ck_assert(conf_ptp4l_unset(&cf, "eth0", "delayAsymmetry"));
	ck_assert(!conf_ptp4l_unset(&cf, "eth0", "delayAsymmetry"));
	ck_assert(conf_ptp4l_validate(&cf));
	conf_free(&cf);
}
END_TEST

START_TEST(ptp4l_duplicates_and_validation)
{
	quiet_stderr();
	struct conf_file cf;
	load_text(&cf, "d.conf", "[global]\ndelayAsymmetry 5\nfoo 1\ndelayAsymmetry 7\n");
	/* ptp4l takes the last value */
	ck_assert_str_eq(conf_ptp4l_get(&cf, "global", "delayAsymmetry"), "7");
	ck_assert(conf_ptp4l_set(&cf, "global", "delayAsymmetry", "9"));
	char *t = conf_render(&cf);
	ck_assert_str_eq(t, "[global]\ndelayAsymmetry 9\nfoo 1\n");
	free(t);
	conf_free(&cf);
	load_text(&cf, "bad1.conf", "slaveOnly 1\n[global]\n");
	ck_assert(!conf_ptp4l_validate(&cf));
	conf_free(&cf);
	load_text(&cf, "bad2.conf", "[global]\nslaveOnly\n");
	ck_assert(!conf_ptp4l_validate(&cf));
	conf_free(&cf);
	load_text(&cf, "bad3.conf", "[global\nslaveOnly 1\n");
	ck_assert(!conf_ptp4l_validate(&cf));
	conf_free(&cf);
	/* NUL bytes: not a text file */
	const char *p = tu_path("nul.conf");
	FILE *f = fopen(p, "wb");
	fwrite("[global]\n\0x 1\n", 1, 14, f);
	fclose(f);
	ck_assert(!conf_load(&cf, p, false));
	ck_assert(!conf_load(&cf, tu_path("absent.conf"), false));
	ck_assert(conf_load(&cf, tu_path("absent.conf"), true));
	ck_assert(!cf.existed);
	ck_assert(conf_ptp4l_set(&cf, "global", "clockClass", "6"));
	t = conf_render(&cf);
	ck_assert_str_eq(t, "[global]\nclockClass 6\n");
	free(t);
	conf_free(&cf);
}
END_TEST

static bool is_refclock_unit2(const char *line, void *ctx)
{
	(void)ctx;
	char buf[512];
	const char *tok[16];
	int n = conf_tokens(line, buf, sizeof(buf), tok, 16);
	return n >= 4 && !strcmp(tok[0], "refclock") && !strcmp(tok[1], "shm") &&
	       !strcmp(tok[2], "unit") && !strcmp(tok[3], "2");
}

START_TEST(directives)
{
	struct conf_file cf;
	load_text(&cf, "ntp.conf",
		  "driftfile /var/lib/ntpsec/ntp.drift\n"
		  "refclock shm unit 2 refid PTP time2 0.000180 # the guide's\n"
		  "server 192.0.2.1 iburst\n"
		  "refclock shm unit 2 refid PTP\n"
		  "refclock shm unit 3 refid GPS\n");
	ck_assert(conf_directive_set(&cf, is_refclock_unit2, NULL,
				     "refclock shm unit 2 refid PTP time1 -0.000090", "ptpcal"));
	char *t = conf_render(&cf);
	ck_assert_str_eq(t, "driftfile /var/lib/ntpsec/ntp.drift\n"
			    "refclock shm unit 2 refid PTP time1 -0.000090\n"
			    "server 192.0.2.1 iburst\n"
			    "refclock shm unit 3 refid GPS\n");
	free(t);
	ck_assert(!conf_directive_set(&cf, is_refclock_unit2, NULL,
				      "refclock shm unit 2 refid PTP time1 -0.000090", "ptpcal"));
	conf_free(&cf);
	load_text(&cf, "ntp2.conf", "server 192.0.2.1\n");
	ck_assert(conf_directive_set(&cf, is_refclock_unit2, NULL, "refclock shm unit 2 refid PTP",
				     "added by ptpcal\nsecond line"));
	t = conf_render(&cf);
	ck_assert_str_eq(t, "server 192.0.2.1\n\n# added by ptpcal\n# second line\n"
			    "refclock shm unit 2 refid PTP\n");
	free(t);
	conf_free(&cf);
	char buf[64];
	const char *tok[4];
	ck_assert_int_eq(conf_tokens("  a\tb  c # d e", buf, sizeof(buf), tok, 4), 3);
	ck_assert_str_eq(tok[2], "c");
}
END_TEST

/* The diff is checked by applying it with patch(1): the result must be the new text. */
static void check_patch(const char *old, const char *new)
{
	const char *o = tu_path("old.txt"), *d = tu_path("d.patch");
	tu_write_file(o, old);
	char *diff = conf_diff(old, new, o);
	if (strcmp(old, new) == 0) {
		ck_assert_str_eq(diff, "");
		free(diff);
		return;
	}
	tu_write_file(d, diff);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "patch -s --no-backup-if-mismatch %s %s", o, d);
	ck_assert_msg(system(cmd) == 0, "patch failed on:\n%s", diff);
	char *got = tu_read_file(o);
	ck_assert_msg(strcmp(got, new) == 0, "patched:\n%s\nwanted:\n%s\ndiff:\n%s", got, new, diff);
	free(got);
	free(diff);
}

START_TEST(diff_applies)
{
	if (system("command -v patch >/dev/null 2>&1") != 0)
		return; /* patch(1) missing: nothing to check against */
	check_patch("a\nb\nc\n", "a\nb\nc\n");
	check_patch("a\nb\nc\n", "a\nB\nc\n");
	check_patch("", "x\n");
	check_patch("x\n", "");
	srand(11);
	for (int r = 0; r < 60; r++) {
		char old[4096] = "", new[4096] = "";
		int n = 1 + rand() % 40;
		for (int i = 0; i < n; i++) {
			char line[32];
			snprintf(line, sizeof(line), "line %d\n", rand() % 12);
			strcat(old, line);
			int op = rand() % 6;
			if (op == 0)
				continue; /* delete */
			if (op == 1) {
				snprintf(line, sizeof(line), "new %d\n", rand() % 5);
				strcat(new, line); /* replace */
				continue;
			}
			if (op == 2)
				strcat(new, "inserted\n");
			snprintf(line, sizeof(line), "%s", old + strlen(old) - strlen(line));
			strcat(new, line);
		}
		check_patch(old, new);
	}
}
END_TEST

/* diff(1) -u order: a replaced line shows "-old" before "+new"; the hunk is exactly what
 * GNU diff -u prints for these two texts (header lines aside). */
START_TEST(diff_minus_first)
{
	char *d = conf_diff("a\nb\nc\n", "a\nB\nc\n", "f");
	ck_assert_str_eq(d, "--- f\n+++ f (ptpcal)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	free(d);
	d = conf_diff("x 1\ny 2\n", "x 3\ny 4\nz 5\n", "g");
	ck_assert_str_eq(d, "--- g\n+++ g (ptpcal)\n@@ -1,2 +1,3 @@\n-x 1\n-y 2\n+x 3\n+y 4\n+z 5\n");
	free(d);
}
END_TEST

START_TEST(atomic_write)
{
	quiet_stderr();
	const char *p = tu_path("w.conf");
	tu_write_file(p, "old\n");
	chmod(p, 0640);
	bool changed;
	char *bak;
	ck_assert_int_eq(conf_write_atomic(p, "new\n", &changed, &bak), 0);
	ck_assert(changed);
	ck_assert(bak != NULL);
	char *t = tu_read_file(p);
	ck_assert_str_eq(t, "new\n");
	free(t);
	t = tu_read_file(bak);
	ck_assert_str_eq(t, "old\n");
	free(t);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	free(bak);
	/* idempotent: nothing written, no backup */
	ck_assert_int_eq(conf_write_atomic(p, "new\n", &changed, &bak), 0);
	ck_assert(!changed);
	ck_assert(bak == NULL);
	/* new file */
	const char *q = tu_path("fresh.conf");
	ck_assert_int_eq(conf_write_atomic(q, "x 1\n", &changed, &bak), 0);
	ck_assert(changed && bak == NULL);
	/* read-only file: refused, intact */
	chmod(p, 0444);
	ck_assert_int_eq(conf_write_atomic(p, "other\n", &changed, NULL), -1);
	t = tu_read_file(p);
	ck_assert_str_eq(t, "new\n");
	free(t);
	ck_assert(!changed);
	/* a directory we cannot write into */
	ck_assert_int_eq(conf_write_atomic("/proc/version", "x\n", &changed, NULL), -1);
}
END_TEST

START_TEST(atomic_write_disk_full)
{
	quiet_stderr();
	/* No room: simulated with a file-size limit; writes fail with EFBIG like ENOSPC. */
	const char *p = tu_path("full.conf");
	tu_write_file(p, "original\n");
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = { 1024, 1024 };
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	char big[8192];
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	bool changed;
	ck_assert_int_eq(conf_write_atomic(p, big, &changed, NULL), -1);
	ck_assert(!changed);
	char *t = tu_read_file(p);
	ck_assert_str_eq(t, "original\n");
	free(t);
	/* no temporary files left behind */
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "ls %s | grep -c 'full.conf.ptpcal-......$' >/dev/null", tu_tmpdir());
	ck_assert_int_ne(system(cmd), 0);
}
END_TEST

Suite *conf_edit_suite(void)
{
	Suite *s = suite_create("conf_edit");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, ptp4l_get_set);
	tcase_add_test(tc, ptp4l_duplicates_and_validation);
	tcase_add_test(tc, directives);
	tcase_add_test(tc, diff_applies);
	tcase_add_test(tc, diff_minus_first);
	tcase_add_test(tc, atomic_write);
	tcase_add_test(tc, atomic_write_disk_full);
	suite_add_tcase(s, tc);
	return s;
}
