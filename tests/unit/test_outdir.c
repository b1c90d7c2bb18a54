#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/privdrop.h"
#include "common/outdir.h"
#include "tests/unit/testutil.h"

START_TEST(create_join_has)
{
	const char *dir = tu_path("od");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	struct outdir d;
	ck_assert_int_eq(outdir_open(&d, dir), 0);
	ck_assert(!outdir_has(&d, "a.tsv"));
	FILE *f = outdir_create(&d, "a.tsv");
	ck_assert_ptr_nonnull(f);
	fputs("x\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert(outdir_has(&d, "a.tsv"));
	char *p = outdir_join(&d, "a.tsv");
	char want[4096];
	snprintf(want, sizeof(want), "%s/a.tsv", dir);
	ck_assert_str_eq(p, want);
	char *text = tu_read_file(p);
	ck_assert_str_eq(text, "x\n");
	free(text);
	free(p);
	ck_assert(outdir_writable(&d));
	outdir_close(&d);
	ck_assert_int_eq(d.fd, -1);
	/* Without a directory, NAME is a path. */
	p = outdir_join(NULL, want);
	ck_assert_str_eq(p, want);
	free(p);
	ck_assert(outdir_has(NULL, want));
}
END_TEST

START_TEST(refusals)
{
	struct outdir d;
	ck_assert_int_eq(outdir_open(&d, tu_path("no-such-dir")), -1);
	ck_assert_int_eq(d.fd, -1);
	tu_write_file(tu_path("plain"), "x");
	ck_assert_int_eq(outdir_open(&d, tu_path("plain")), -1);
	ck_assert_ptr_null(outdir_create(NULL, tu_path("no-such-dir/x")));
}
END_TEST

/* The reason for it: after dropping to nobody, a file can still be created in a directory
 * that nobody may write but whose parent is mode 0700 (its path cannot be resolved any
 * more), and it is given to the user the directory says. In a child: the drop is for good. */
START_TEST(create_after_drop_under_private_parent)
{
	if (geteuid() != 0)
		return; /* only root can drop; e2e capture_live_errors covers the real capture */
	struct privdrop_target t;
	ck_assert(privdrop_lookup("nobody", &t));
	const char *priv = tu_path("private");
	ck_assert_int_eq(mkdir(priv, 0700), 0);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/out", priv);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(chown(dir, t.uid, t.gid), 0);
	struct outdir d;
	ck_assert_int_eq(outdir_open(&d, dir), 0);
	d.give = true, d.uid = t.uid, d.gid = t.gid;
	FILE *before = outdir_create(&d, "before");
	ck_assert_ptr_nonnull(before);
	fclose(before);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (privdrop_apply(&t) != 0)
			_exit(10);
		char path[4200];
		snprintf(path, sizeof(path), "%s/by-path", dir);
		if (open(path, O_WRONLY | O_CREAT, 0644) >= 0)
			_exit(11); /* the parent's 0700 should have stopped a path */
		FILE *f = outdir_create(&d, "after");
		if (!f || fputs("y", f) < 0 || fclose(f) != 0)
			_exit(12);
		_exit(outdir_writable(&d) ? 0 : 13);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exit %d", WEXITSTATUS(st));
	struct stat sb;
	char path[4200];
	snprintf(path, sizeof(path), "%s/after", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_uid, t.uid);
	snprintf(path, sizeof(path), "%s/before", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_uid, t.uid); /* made by root, given to the capture user */
	outdir_close(&d);
}
END_TEST

Suite *outdir_suite(void)
{
	Suite *s = suite_create("outdir");
	TCase *tc = tcase_create("outdir");
	tcase_add_test(tc, create_join_has);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, create_after_drop_under_private_parent);
	suite_add_tcase(s, tc);
	return s;
}
