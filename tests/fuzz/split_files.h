/* For fuzz targets that read a directory of files: the input is split at lines "----" into the
 * files names[0..n) below dir, in order (parent directories created); a file with no part left
 * is removed, so "missing" is fuzzed too. Included by the targets that use it. */
#ifndef PTPCAL_FUZZ_SPLIT_FILES_H
#define PTPCAL_FUZZ_SPLIT_FILES_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The target's scratch directory: made once under $TMPDIR (or /tmp), removed with all it
 * holds when the process exits (make check runs the targets: they must leave nothing). */
static char fuzz_scratch[256];

static int fuzz_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void fuzz_scratch_remove(void)
{
	if (fuzz_scratch[0])
		nftw(fuzz_scratch, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The scratch directory's path (made on the first call), or abort when it cannot be made. */
static const char *fuzz_scratch_dir(const char *name)
{
	if (!fuzz_scratch[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fuzz_scratch, sizeof(fuzz_scratch), "%s/ptpcal-fuzz-%s-XXXXXX",
			 t && *t ? t : "/tmp", name);
		if (!mkdtemp(fuzz_scratch))
			abort();
		atexit(fuzz_scratch_remove);
	}
	return fuzz_scratch;
}

/* 0, or -1 when a file could not be written. */
static int fuzz_split_files(const uint8_t *data, size_t size, const char *dir,
			    const char *const *names, size_t n)
{
	char path[512];
	const uint8_t *p = data, *end = data + size;
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
		if (!p)
			continue;
		for (char *s = path + strlen(dir) + 1; *s; s++)
			if (*s == '/') {
				*s = '\0';
				mkdir(path, 0700);
				*s = '/';
			}
		const uint8_t *sep = NULL;
		for (const uint8_t *q = p; q + 6 <= end; q++)
			if (!memcmp(q, "\n----\n", 6)) {
				sep = q;
				break;
			}
		const uint8_t *stop = sep ? sep + 1 : end;
		FILE *f = fopen(path, "wb");
		if (!f)
			return -1;
		fwrite(p, 1, (size_t)(stop - p), f);
		fclose(f);
		p = sep ? sep + 6 : NULL;
	}
	return 0;
}

#endif
