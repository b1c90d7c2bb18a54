/* Dropping root for good after the privileged opens (capture sockets, devices):
 * no supplementary groups, real/effective/saved gid and uid of the target user, no
 * capabilities left, and no way back (checked, not assumed). */
#ifndef PTPCAL_PRIVDROP_H
#define PTPCAL_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privdrop_target {
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Look the user up by name (or a numeric uid). False after printing "USER: no such user". */
bool privdrop_lookup(const char *user, struct privdrop_target *t);
/* setgroups(0) + setresgid + setresuid, PR_SET_NO_NEW_PRIVS, then verify: every uid and gid
 * is the target's, setuid(0) fails, no capability is effective or permitted.
 * 0, or -1 after printing what failed. Must be called as root. */
int privdrop_apply(const struct privdrop_target *t);
/* Not root but with capabilities (e.g. CAP_NET_RAW given to the binary): clear them all
 * (capset to empty sets; the bounding set is left, NO_NEW_PRIVS keeps exec from using it).
 * 0, or -1 after printing why. */
int privdrop_capabilities(void);
/* "uid 65534 gid 65534, no supplementary groups, no capabilities" for metadata. */
void privdrop_describe(char *buf, size_t n);
/* True if no capability is effective or permitted (capget). */
bool privdrop_no_capabilities(void);

#endif
