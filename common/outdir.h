/* An output directory opened once, by descriptor: files are created in it with openat(2), so
 * a command that drops root after opening it (capture -i) can still add files later (rotation)
 * whatever the permissions of the directory's parents -- the kernel checks search permission
 * on the parents only when a path is resolved, and a descriptor is resolved already. tcpdump
 * -Z reopens by path and fails under a mode-0700 parent; this does not. */
#ifndef PTPCAL_OUTDIR_H
#define PTPCAL_OUTDIR_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct outdir {
	int fd;
	char *path; /* as given, for messages */
	bool give;  /* files created are given to uid:gid (the user a command drops to) */
	uid_t uid;
	gid_t gid;
};

/* Opens the existing directory PATH. 0, or -1 after printing "-o PATH: why". */
int outdir_open(struct outdir *d, const char *path);
void outdir_close(struct outdir *d);
/* Creates (or truncates) NAME in D for writing, given to D's uid:gid if D says so; with D
 * NULL, NAME is a plain path. NULL after printing "DIR/NAME: cannot create: why". */
FILE *outdir_create(const struct outdir *d, const char *name);
/* "DIR/NAME" (or NAME when D is NULL), malloc'd: what messages and metadata show. */
char *outdir_join(const struct outdir *d, const char *name);
/* Whether NAME exists in D. */
bool outdir_has(const struct outdir *d, const char *name);
/* Whether this process, as it is now, may create files in D (faccessat on the descriptor:
 * the directory's own mode, not its parents'). */
bool outdir_writable(const struct outdir *d);

#endif
