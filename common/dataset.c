#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/outdir.h"
#include "common/log.h"
#include "common/numfmt.h"
#include "common/numparse.h"
#include "common/textin.h"

#define MAGIC "# ptpcal-dataset "
#define WBUF_SIZE (1 << 16)

/* ------------------------------------------------------------------ writer */

struct ds_writer {
	FILE *f;
	char *path;
	char *buf;
	size_t len;
	int ncols;
	int col;       /* fields put in the current row */
	bool header;   /* header line written */
	const char *const *pending; /* declared columns, written with the first row */
	bool failed;
	uint64_t rows;
	/* Consecutive rows share the seconds of their times: keep the last one formatted. */
	int64_t sec_cached;
	char sec_text[24];
	int sec_len;
};

static void w_fail(struct ds_writer *w)
{
	if (!w->failed)
		log_err("%s: write failed: %s", w->path, strerror(errno));
	w->failed = true;
}

static void w_drain(struct ds_writer *w)
{
	if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->f) != w->len)
		w_fail(w);
	w->len = 0;
}

static char *w_reserve(struct ds_writer *w, size_t n)
{
	if (w->len + n > WBUF_SIZE)
		w_drain(w);
	return w->buf + w->len;
}

static void w_bytes(struct ds_writer *w, const char *s, size_t n)
{
	if (n > WBUF_SIZE / 2) {
		w_drain(w);
		if (!w->failed && fwrite(s, 1, n, w->f) != n)
			w_fail(w);
		return;
	}
	memcpy(w_reserve(w, n), s, n);
	w->len += n;
}

struct ds_writer *ds_create(const char *path, const char *kind)
{
	return ds_create_in(NULL, path, kind);
}

struct ds_writer *ds_create_in(const struct outdir *dir, const char *name, const char *kind)
{
	FILE *f = !dir && strcmp(name, "-") == 0 ? stdout : outdir_create(dir, name);
	if (!f)
		return NULL;
	struct ds_writer *w = xcalloc(1, sizeof(*w));
	w->f = f;
	w->path = outdir_join(dir, name);
	w->buf = xmalloc(WBUF_SIZE);
	char line[128];
	int n = snprintf(line, sizeof(line), MAGIC "%d %s\n", DATASET_VERSION, kind);
	w_bytes(w, line, (size_t)n);
	return w;
}

void ds_meta(struct ds_writer *w, const char *key, const char *fmt, ...)
{
	char val[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	/* Values are single-line: fold control characters into spaces. */
	for (char *c = val; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	w_bytes(w, "# ", 2);
	w_bytes(w, key, strlen(key));
	w_bytes(w, ": ", 2);
	w_bytes(w, val, strlen(val));
	w_bytes(w, "\n", 1);
}

void ds_columns(struct ds_writer *w, const char *const *names, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			w_bytes(w, "\t", 1);
		w_bytes(w, names[i], strlen(names[i]));
	}
	w_bytes(w, "\n", 1);
	w->ncols = n;
	w->header = true;
	w->pending = NULL;
}

void ds_declare_columns(struct ds_writer *w, const char *const *names, int n)
{
	w->pending = names;
	w->ncols = n;
}

static void header_if_pending(struct ds_writer *w)
{
	if (!w->header && w->pending)
		ds_columns(w, w->pending, w->ncols);
}

static char *field_start(struct ds_writer *w)
{
	if (w->col == 0)
		header_if_pending(w);
	char *p = w_reserve(w, NUMFMT_MAX + PTIME_STRLEN + 2);
	if (w->col++)
		*p++ = '\t';
	return p;
}

static void field_end(struct ds_writer *w, char *end)
{
	w->len = (size_t)(end - w->buf);
}

void ds_put_str(struct ds_writer *w, const char *s)
{
	if (w->col == 0)
		header_if_pending(w);
	if (w->col++)
		w_bytes(w, "\t", 1);
	/* Fields cannot hold tabs or newlines: replace them. */
	size_t n = strlen(s);
	if (strpbrk(s, "\t\n\r")) {
		char *c = xstrdup(s);
		for (char *q = c; *q; q++)
			if (*q == '\t' || *q == '\n' || *q == '\r')
				*q = ' ';
		w_bytes(w, c, n);
		free(c);
	} else {
		w_bytes(w, n ? s : "-", n ? n : 1);
	}
}

/* Consecutive rows (and t1..t4 within one) share their seconds: format those once. */
char *ds_fmt_time(struct ds_writer *w, char *p, struct ptime t)
{
	if (t.ns < 0 || t.frac)
		return p + ptime_format(t, p);
	int64_t sec = t.ns / NS_PER_SEC;
	if (sec != w->sec_cached || !w->sec_len) {
		w->sec_len = (int)(fmt_u64(w->sec_text, (uint64_t)sec) - w->sec_text);
		w->sec_cached = sec;
	}
	memcpy(p, w->sec_text, (size_t)w->sec_len);
	p += w->sec_len;
	*p++ = '.';
	return fmt_u32_width(p, (uint32_t)(t.ns % NS_PER_SEC), 9);
}

void ds_put_time(struct ds_writer *w, struct ptime t)
{
	field_end(w, ds_fmt_time(w, field_start(w), t));
}

void ds_put_word(struct ds_writer *w, const char *s, size_t len)
{
	char *p = field_start(w);
	if (len > NUMFMT_MAX + PTIME_STRLEN) {
		field_end(w, p);
		w_bytes(w, s, len);
		return;
	}
	memcpy(p, s, len);
	field_end(w, p + len);
}

void ds_put_i64(struct ds_writer *w, int64_t v)
{
	field_end(w, fmt_i64(field_start(w), v));
}

void ds_put_fixed(struct ds_writer *w, double v, int decimals)
{
	field_end(w, fmt_fixed(field_start(w), v, decimals));
}

void ds_put_double(struct ds_writer *w, double v)
{
	field_end(w, fmt_double(field_start(w), v));
}

void ds_end_row(struct ds_writer *w)
{
	if (w->col != w->ncols) {
		/* A programming error, never user input: make it loud. */
		log_err("%s: internal error: row with %d fields, header has %d", w->path, w->col,
			w->ncols);
		abort();
	}
	*w_reserve(w, 1) = '\n';
	w->len++;
	w->col = 0;
	w->rows++;
}

char *ds_row_begin(struct ds_writer *w, size_t max)
{
	if (w->col != 0 || max > DS_ROW_MAX) {
		log_err("%s: internal error: row begun with %d fields put, or %zu > %d bytes", w->path,
			w->col, max, DS_ROW_MAX);
		abort();
	}
	header_if_pending(w);
	return w_reserve(w, max + 1);
}

void ds_row_end(struct ds_writer *w, char *end, int nfields)
{
	if (nfields != w->ncols) {
		log_err("%s: internal error: row with %d fields, header has %d", w->path, nfields,
			w->ncols);
		abort();
	}
	*end++ = '\n';
	w->len = (size_t)(end - w->buf);
	w->rows++;
}

int ds_flush(struct ds_writer *w)
{
	w_drain(w);
	if (!w->failed && fflush(w->f) != 0)
		w_fail(w);
	return w->failed ? -1 : 0;
}

int ds_close(struct ds_writer *w)
{
	if (!w)
		return -1;
	header_if_pending(w);
	ds_flush(w);
	if (w->f != stdout) {
		if (fclose(w->f) != 0)
			w_fail(w);
	}
	int rc = w->failed ? -1 : 0;
	free(w->buf);
	free(w->path);
	free(w);
	return rc;
}

uint64_t ds_rows_written(const struct ds_writer *w)
{
	return w->rows;
}

/* ------------------------------------------------------------------ reader */

struct ds_reader {
	FILE *f;
	char *path;
	char *kind;
	char *line;
	size_t cap;
	long lineno;
	int nmeta;
	char **meta_key, **meta_val;
	int ncols;
	char **cols;
	char **fields; /* pointers into line for the current row */
	bool failed;
};

void ds_error(struct ds_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s:%ld: %s", r->path, r->lineno, msg);
	r->failed = true;
}

/* Read one line without its newline; returns length, or -1 at EOF. Rejects NUL bytes. */
static long read_line(struct ds_reader *r)
{
	ssize_t n = getline(&r->line, &r->cap, r->f);
	if (n < 0)
		return -1;
	r->lineno++;
	if ((size_t)n != strlen(r->line)) {
		ds_error(r, "NUL byte in text");
		return -2;
	}
	while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
		r->line[--n] = '\0';
	return n;
}

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/* Split r->line on tabs into at most max fields; returns the count (max+1 if more). */
static int split_tabs(char *line, char **out, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n < max)
			out[n] = p;
		n++;
		char *t = strchr(p, '\t');
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
		if (n > max)
			break;
	}
	return n;
}

static void add_meta(struct ds_reader *r, const char *key, const char *val);

struct ds_reader *ds_open(const char *path, const char *expect_kind)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		log_err("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (f != stdin && !textin_check(f, path)) {
		fclose(f);
		return NULL;
	}
	struct ds_reader *r = xcalloc(1, sizeof(*r));
	r->f = f;
	r->path = xstrdup(path);
	long n = read_line(r);
	if (n < 0 || strncmp(r->line, MAGIC, strlen(MAGIC)) != 0) {
		if (n != -2) {
			r->lineno = 1;
			ds_error(r, "not a ptpcal dataset (first line must be '%s<version> <kind>')",
				 MAGIC);
		}
		goto fail;
	}
	{
		char *p = r->line + strlen(MAGIC);
		char *end;
		errno = 0;
		long ver = strtol(p, &end, 10);
		if (end == p || *end != ' ' || errno) {
			ds_error(r, "malformed dataset header");
			goto fail;
		}
		if (ver != DATASET_VERSION) {
			ds_error(r, "dataset format version %ld is not supported (this ptpcal reads %d)",
				 ver, DATASET_VERSION);
			goto fail;
		}
		char *kind = trim(end + 1);
		if (!*kind || strchr(kind, ' ')) {
			ds_error(r, "malformed dataset kind '%s'", kind);
			goto fail;
		}
		r->kind = xstrdup(kind);
		if (expect_kind && strcmp(kind, expect_kind) != 0) {
			ds_error(r, "dataset kind is '%s', expected '%s'", kind, expect_kind);
			goto fail;
		}
	}
	/* Metadata lines, then the header line. */
	for (;;) {
		n = read_line(r);
		if (n == -2)
			goto fail;
		if (n < 0) {
			ds_error(r, "no column header line");
			goto fail;
		}
		if (r->line[0] == '#') {
			char *colon = strstr(r->line, ": ");
			if (!colon) {
				/* "# key:" with an empty value, or a plain comment */
				size_t len = strlen(r->line);
				if (len >= 2 && r->line[len - 1] == ':')
					colon = r->line + len - 1;
				else
					continue;
			}
			*colon = '\0';
			char *key = trim(r->line + 1);
			char *val = trim(colon[1] ? colon + 2 : colon + 1);
			add_meta(r, key, val);
			continue;
		}
		if (n == 0)
			continue;
		break;
	}
	{
		int cnt = 1;
		for (char *c = r->line; *c; c++)
			cnt += *c == '\t';
		r->cols = xcalloc((size_t)cnt, sizeof(char *));
		r->fields = xcalloc((size_t)cnt, sizeof(char *));
		split_tabs(r->line, r->fields, cnt);
		for (int i = 0; i < cnt; i++) {
			char *name = trim(r->fields[i]);
			if (!*name) {
				ds_error(r, "empty column name (column %d)", i + 1);
				r->ncols = i;
				goto fail;
			}
			for (int j = 0; j < i; j++)
				if (strcmp(r->cols[j], name) == 0) {
					ds_error(r, "duplicate column '%s'", name);
					r->ncols = i;
					goto fail;
				}
			r->cols[i] = xstrdup(name);
			r->ncols = i + 1;
		}
	}
	return r;
fail:
	ds_reader_close(r);
	return NULL;
}

void ds_reader_close(struct ds_reader *r)
{
	if (!r)
		return;
	if (r->f && r->f != stdin)
		fclose(r->f);
	for (int i = 0; i < r->nmeta; i++) {
		free(r->meta_key[i]);
		free(r->meta_val[i]);
	}
	free(r->meta_key);
	free(r->meta_val);
	for (int i = 0; i < r->ncols; i++)
		free(r->cols[i]);
	free(r->cols);
	free(r->fields);
	free(r->line);
	free(r->kind);
	free(r->path);
	free(r);
}

const char *ds_kind(const struct ds_reader *r) { return r->kind; }
const char *ds_path(const struct ds_reader *r) { return r->path; }
long ds_line(const struct ds_reader *r) { return r->lineno; }
int ds_ncols(const struct ds_reader *r) { return r->ncols; }
const char *ds_colname(const struct ds_reader *r, int i) { return r->cols[i]; }
bool ds_failed(const struct ds_reader *r) { return r->failed; }
int ds_meta_count(const struct ds_reader *r) { return r->nmeta; }

void ds_meta_at(const struct ds_reader *r, int i, const char **key, const char **value)
{
	*key = r->meta_key[i];
	*value = r->meta_val[i];
}

const char *ds_meta_get(const struct ds_reader *r, const char *key)
{
	/* The last occurrence wins, so a tool can append an override. */
	for (int i = r->nmeta - 1; i >= 0; i--)
		if (strcmp(r->meta_key[i], key) == 0)
			return r->meta_val[i];
	return NULL;
}

int ds_col(const struct ds_reader *r, const char *name)
{
	for (int i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i], name) == 0)
			return i;
	return -1;
}

int ds_require_col(struct ds_reader *r, const char *name)
{
	int c = ds_col(r, name);
	if (c < 0) {
		log_err("%s: no column '%s' in this %s dataset", r->path, name, r->kind);
		r->failed = true;
	}
	return c;
}

static void add_meta(struct ds_reader *r, const char *key, const char *val)
{
	r->meta_key = xrealloc(r->meta_key, sizeof(char *) * (size_t)(r->nmeta + 1));
	r->meta_val = xrealloc(r->meta_val, sizeof(char *) * (size_t)(r->nmeta + 1));
	r->meta_key[r->nmeta] = xstrdup(key);
	r->meta_val[r->nmeta] = xstrdup(val);
	r->nmeta++;
}

/* "# key: value" after the header: metadata only known at the end of a run (counts, what
 * the Announce messages said). Keys there are [A-Za-z0-9_.-]+; other '#' lines are comments. */
static void trailing_meta(struct ds_reader *r)
{
	char *key = r->line + 1;
	while (*key == ' ')
		key++;
	char *p = key;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_' || *p == '.' || *p == '-')
		p++;
	if (p == key || *p != ':')
		return;
	*p = '\0';
	add_meta(r, key, trim(p[1] ? p + 1 : p));
}

int ds_next(struct ds_reader *r)
{
	for (;;) {
		long n = read_line(r);
		if (n == -1)
			return ferror(r->f) ? (ds_error(r, "read error: %s", strerror(errno)), -1) : 0;
		if (n == -2)
			return -1;
		if (n == 0)
			continue;
		if (r->line[0] == '#') {
			trailing_meta(r);
			continue;
		}
		int got = split_tabs(r->line, r->fields, r->ncols);
		if (got != r->ncols) {
			ds_error(r, "%s%d fields, the header has %d", got > r->ncols ? "more than " : "",
				 got > r->ncols ? r->ncols : got, r->ncols);
			return -1;
		}
		return 1;
	}
}

const char *ds_field(const struct ds_reader *r, int col)
{
	return r->fields[col];
}

bool parse_double_strict(const char *s, double *out)
{
	if (!*s || *s == ' ')
		return false;
	if (strcmp(s, "nan") == 0 || strcmp(s, "NaN") == 0) {
		*out = NAN;
		return true;
	}
	double v;
	if (numparse_fast(s, strlen(s), &v)) { /* exact, and ~10x cheaper than strtod */
		*out = v;
		return true;
	}
	char *end;
	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s || errno == ERANGE)
		return false;
	/* strtod also accepts hex floats and "infinity"; datasets use decimal only. */
	for (const char *c = s; *c; c++)
		if (!strchr("0123456789+-.eE", *c) && strcmp(s, "inf") && strcmp(s, "-inf"))
			return false;
	*out = v;
	return true;
}

bool parse_i64_strict(const char *s, int64_t *out)
{
	if (!*s || *s == ' ' || *s == '+')
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || end == s || errno)
		return false;
	*out = v;
	return true;
}

bool ds_get_time(struct ds_reader *r, int col, struct ptime *out)
{
	if (!ptime_parse(r->fields[col], out, NULL)) {
		ds_error(r, "column '%s': '%s' is not an exact time (SEC.NNNNNNNNN)", r->cols[col],
			 r->fields[col]);
		return false;
	}
	return true;
}

bool ds_get_double(struct ds_reader *r, int col, double *out)
{
	if (!parse_double_strict(r->fields[col], out)) {
		ds_error(r, "column '%s': '%s' is not a number", r->cols[col], r->fields[col]);
		return false;
	}
	return true;
}

bool ds_get_i64(struct ds_reader *r, int col, int64_t *out)
{
	if (!parse_i64_strict(r->fields[col], out)) {
		ds_error(r, "column '%s': '%s' is not an integer", r->cols[col], r->fields[col]);
		return false;
	}
	return true;
}
