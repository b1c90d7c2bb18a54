/* Output directory by descriptor: see outdir.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/outdir.h"

int outdir_open(struct outdir *d, const char *path)
{
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0) {
		log_err("-o %s: %s", path, strerror(errno));
		d->path = NULL;
		return -1;
	}
	d->path = xstrdup(path);
	d->give = false;
	return 0;
}

void outdir_close(struct outdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	free(d->path);
	d->path = NULL;
}

char *outdir_join(const struct outdir *d, const char *name)
{
	if (!d)
		return xstrdup(name);
	size_t n = strlen(d->path) + strlen(name) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", d->path, name);
	return p;
}

FILE *outdir_create(const struct outdir *d, const char *name)
{
	int fd = openat(d ? d->fd : AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0 && d && d->give && fchown(fd, d->uid, d->gid) != 0) {
		int e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		char *p = outdir_join(d, name);
		log_err("%s: cannot create: %s", p, strerror(e));
		free(p);
	}
	return f;
}

bool outdir_has(const struct outdir *d, const char *name)
{
	struct stat st;
	return fstatat(d ? d->fd : AT_FDCWD, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool outdir_writable(const struct outdir *d)
{
	return faccessat(d ? d->fd : AT_FDCWD, ".", W_OK | X_OK, 0) == 0;
}
