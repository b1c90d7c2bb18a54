#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture/privdrop.h"
#include "common/log.h"

bool privdrop_lookup(const char *user, struct privdrop_target *t)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		char *end;
		errno = 0;
		unsigned long id = strtoul(user, &end, 10);
		if (*user && !*end && !errno)
			pw = getpwuid((uid_t)id);
	}
	if (!pw) {
		log_err("--user %s: no such user", user);
		return false;
	}
	if (pw->pw_uid == 0) {
		log_err("--user %s: is root; give an unprivileged user (default nobody)", user);
		return false;
	}
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	snprintf(t->name, sizeof(t->name), "%s", pw->pw_name);
	return true;
}

/* capget(2) directly: no libcap needed for one question. Version 3 has two 32-bit words. */
bool privdrop_no_capabilities(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	for (int i = 0; i < 2; i++)
		if (data[i].effective || data[i].permitted)
			return false;
	return true;
}

int privdrop_apply(const struct privdrop_target *t)
{
	/* Order matters: groups and gid while still root, the uid last (setresuid(2)). */
	if (setgroups(0, NULL) != 0) {
		log_err("dropping root: setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(t->gid, t->gid, t->gid) != 0) {
		log_err("dropping root: setresgid(%u): %s", (unsigned)t->gid, strerror(errno));
		return -1;
	}
	if (setresuid(t->uid, t->uid, t->uid) != 0) {
		log_err("dropping root: setresuid(%u): %s", (unsigned)t->uid, strerror(errno));
		return -1;
	}
	/* No setuid binary can give anything back either. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		log_err("dropping root: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0 || r != t->uid ||
	    e != t->uid || s != t->uid || rg != t->gid || eg != t->gid || sg != t->gid ||
	    getgroups(0, NULL) != 0) {
		log_err("dropping root: ids are not all %u/%u afterwards", (unsigned)t->uid,
			(unsigned)t->gid);
		return -1;
	}
	if (setuid(0) == 0 || !privdrop_no_capabilities()) {
		log_err("dropping root: root or capabilities could be regained");
		return -1;
	}
	return 0;
}

int privdrop_capabilities(void)
{
	if (privdrop_no_capabilities())
		return 0;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    !privdrop_no_capabilities()) {
		log_err("dropping capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void privdrop_describe(char *buf, size_t n)
{
	struct passwd *pw = getpwuid(geteuid());
	int ng = getgroups(0, NULL);
	snprintf(buf, n, "%s (uid %u gid %u), %s supplementary groups, %s", pw ? pw->pw_name : "?",
		 (unsigned)geteuid(), (unsigned)getegid(), ng == 0 ? "no" : "with",
		 privdrop_no_capabilities() ? "no capabilities" : "with capabilities");
}
