/* See residence.h. Columns as documented in docs/dataset-format.md (switch-frames). */
#include "report/residence.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/log.h"
#include "lab/infile.h"

static void push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*v = xrealloc(*v, *cap * sizeof(double));
	}
	(*v)[(*n)++] = x;
}

bool residence_load(struct residence *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	struct infile in;
	if (!infile_open(&in, path))
		return false;
	struct ds_reader *d = ds_open(in.path, "switch-frames");
	if (!d) {
		infile_close(&in, path);
		return false;
	}
	int cdir = ds_require_col(d, "dir"), ctype = ds_require_col(d, "type");
	int cres = ds_require_col(d, "residence_ns"), cfate = ds_require_col(d, "fate");
	bool ok = cdir >= 0 && ctype >= 0 && cres >= 0 && cfate >= 0;
	size_t capf = 0, capr = 0;
	int rc;
	while (ok && (rc = ds_next(d)) != 0) {
		if (rc < 0)
			break;
		if (strcmp(ds_field(d, cfate), "sent") != 0)
			continue;
		const char *type = ds_field(d, ctype), *dir = ds_field(d, cdir);
		bool fwd = strcmp(dir, "fwd") == 0 && strcmp(type, "Sync") == 0;
		bool rev = strcmp(dir, "rev") == 0 && strcmp(type, "Delay_Req") == 0;
		if (!fwd && !rev)
			continue;
		double x;
		if (!ds_get_double(d, cres, &x))
			break;
		if (!isfinite(x))
			continue;
		if (fwd)
			push(&r->fwd, &r->nfwd, &capf, x);
		else
			push(&r->rev, &r->nrev, &capr, x);
	}
	ok = ok && !ds_failed(d);
	ds_reader_close(d);
	if (infile_close(&in, path) != 0)
		ok = false;
	if (ok && r->nfwd + r->nrev == 0) {
		log_err("%s: no Sync or Delay_Req was forwarded (no residence times)", path);
		ok = false;
	}
	if (!ok)
		residence_free(r);
	return ok;
}

void residence_free(struct residence *r)
{
	free(r->fwd);
	free(r->rev);
	memset(r, 0, sizeof(*r));
}
