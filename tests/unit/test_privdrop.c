#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/privdrop.h"
#include "tests/unit/testutil.h"

START_TEST(lookup)
{
	struct privdrop_target t;
	struct passwd *pw = getpwnam("nobody");
	ck_assert_ptr_nonnull(pw);
	/* getpw* share static buffers: keep copies. */
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	ck_assert(privdrop_lookup("nobody", &t));
	ck_assert_uint_eq(t.uid, uid);
	ck_assert_uint_eq(t.gid, gid);
	ck_assert_str_eq(t.name, "nobody");
	char num[32];
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	ck_assert(privdrop_lookup(num, &t) && t.uid == uid);
	ck_assert(!privdrop_lookup("no-such-user-ptpcal", &t));
	ck_assert(!privdrop_lookup("root", &t)); /* dropping to root drops nothing */
	ck_assert(!privdrop_lookup("0", &t));
}
END_TEST

/* In a child (the drop is for good): afterwards the kernel must report nobody's ids in all
 * three slots, no groups, no capabilities, and refuse to give root back. */
START_TEST(drop_for_good)
{
	if (geteuid() != 0)
		return; /* only root can drop; the e2e capture test covers the real run */
	struct privdrop_target t;
	ck_assert(privdrop_lookup("nobody", &t));
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (privdrop_apply(&t) != 0)
			_exit(10);
		uid_t r, e, s;
		gid_t rg, eg, sg;
		if (getresuid(&r, &e, &s) || r != t.uid || e != t.uid || s != t.uid)
			_exit(11);
		if (getresgid(&rg, &eg, &sg) || rg != t.gid || eg != t.gid || sg != t.gid)
			_exit(12);
		if (getgroups(0, NULL) != 0)
			_exit(13);
		if (setuid(0) == 0 || seteuid(0) == 0)
			_exit(14);
		if (!privdrop_no_capabilities())
			_exit(15);
		/* /proc agrees (independent of the calls above). */
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		int ok = 0;
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "CapEff:\t0000000000000000", 24) ||
			    !strncmp(line, "CapPrm:\t0000000000000000", 24))
				ok++;
		if (f)
			fclose(f);
		_exit(ok == 2 ? 0 : 16);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
}
END_TEST

Suite *privdrop_suite(void)
{
	Suite *s = suite_create("privdrop");
	TCase *tc = tcase_create("privdrop");
	tcase_add_test(tc, lookup);
	tcase_add_test(tc, drop_for_good);
	suite_add_tcase(s, tc);
	return s;
}
