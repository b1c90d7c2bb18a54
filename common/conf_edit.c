#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/conf_edit.h"
#include "common/log.h"
#include "common/textin.h"

#define MAX_LINE 4096

static void push_line(struct conf_file *cf, char *line)
{
	if (cf->n == cf->cap) {
		cf->cap = cf->cap ? cf->cap * 2 : 32;
		cf->lines = xrealloc(cf->lines, sizeof(char *) * cf->cap);
	}
	cf->lines[cf->n++] = line;
}

bool conf_load(struct conf_file *cf, const char *path, bool allow_missing)
{
	memset(cf, 0, sizeof(*cf));
	cf->path = xstrdup(path);
	cf->final_newline = true;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && allow_missing)
			return true;
		log_err("%s: cannot read: %s", path, strerror(errno));
		conf_free(cf);
		return false;
	}
	if (!textin_check(f, path)) {
		fclose(f);
		conf_free(cf);
		return false;
	}
	cf->existed = true;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	while ((len = getline(&buf, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)len != strlen(buf)) {
			log_err("%s:%ld: NUL byte: not a text configuration file", path, lineno);
			goto fail;
		}
		bool nl = len > 0 && buf[len - 1] == '\n';
		if (nl)
			buf[--len] = '\0';
		if (len > MAX_LINE) {
			log_err("%s:%ld: line longer than %d bytes", path, lineno, MAX_LINE);
			goto fail;
		}
		cf->final_newline = nl;
		push_line(cf, xstrdup(buf));
	}
	if (ferror(f)) {
		log_err("%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	free(buf);
	fclose(f);
	return true;
fail:
	free(buf);
	fclose(f);
	conf_free(cf);
	return false;
}

void conf_free(struct conf_file *cf)
{
	for (size_t i = 0; i < cf->n; i++)
		free(cf->lines[i]);
	free(cf->lines);
	free(cf->path);
	memset(cf, 0, sizeof(*cf));
}

char *conf_render(const struct conf_file *cf)
{
	size_t total = 1;
	for (size_t i = 0; i < cf->n; i++)
		total += strlen(cf->lines[i]) + 1;
	char *s = xmalloc(total), *p = s;
	for (size_t i = 0; i < cf->n; i++) {
		size_t l = strlen(cf->lines[i]);
		memcpy(p, cf->lines[i], l);
		p += l;
		if (i + 1 < cf->n || cf->final_newline)
			*p++ = '\n';
	}
	*p = '\0';
	return s;
}

void conf_insert_line(struct conf_file *cf, size_t at, const char *text)
{
	push_line(cf, NULL);
	memmove(&cf->lines[at + 1], &cf->lines[at], sizeof(char *) * (cf->n - 1 - at));
	cf->lines[at] = xstrdup(text);
	cf->final_newline = true;
}

void conf_replace_line(struct conf_file *cf, size_t at, const char *text)
{
	free(cf->lines[at]);
	cf->lines[at] = xstrdup(text);
}

void conf_delete_line(struct conf_file *cf, size_t at)
{
	free(cf->lines[at]);
	memmove(&cf->lines[at], &cf->lines[at + 1], sizeof(char *) * (cf->n - at - 1));
	cf->n--;
}

/* ------------------------------------------------------------------ ptp4l.conf */

static const char *skip_ws(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

static bool is_blank_or_comment(const char *line)
{
	const char *c = skip_ws(line);
	return *c == '\0' || *c == '#';
}

/* "[name]" with optional blanks: copies the name into out. */
static bool section_name(const char *line, char *out, size_t outlen)
{
	const char *c = skip_ws(line);
	if (*c != '[')
		return false;
	c = skip_ws(c + 1);
	const char *e = strchr(c, ']');
	if (!e)
		return false;
	const char *tail = skip_ws(e + 1);
	if (*tail)
		return false;
	while (e > c && isspace((unsigned char)e[-1]))
		e--;
	size_t l = (size_t)(e - c);
	if (l == 0 || l >= outlen)
		return false;
	memcpy(out, c, l);
	out[l] = '\0';
	return true;
}

/* For a setting line: the option token, its length and where the value starts. */
static bool setting(const char *line, const char **opt, size_t *optlen, const char **value)
{
	const char *c = skip_ws(line);
	const char *e = c;
	while (*e && !isspace((unsigned char)*e))
		e++;
	if (e == c)
		return false;
	*opt = c;
	*optlen = (size_t)(e - c);
	*value = skip_ws(e);
	return **value != '\0';
}

bool conf_ptp4l_validate(const struct conf_file *cf)
{
	bool in_section = false;
	char name[128];
	for (size_t i = 0; i < cf->n; i++) {
		const char *l = cf->lines[i];
		if (is_blank_or_comment(l))
			continue;
		if (section_name(l, name, sizeof(name))) {
			in_section = true;
			continue;
		}
		if (skip_ws(l)[0] == '[') {
			log_err("%s:%zu: malformed section header", cf->path, i + 1);
			return false;
		}
		const char *o, *v;
		size_t ol;
		if (!in_section) {
			log_err("%s:%zu: setting outside any section (ptp4l refuses this file)", cf->path,
				i + 1);
			return false;
		}
		if (!setting(l, &o, &ol, &v)) {
			log_err("%s:%zu: option without a value (ptp4l refuses this file)", cf->path, i + 1);
			return false;
		}
	}
	return true;
}

/* Line range [first, end) of the body of section `sec` (first after the header), or false. */
static bool find_section(const struct conf_file *cf, const char *sec, size_t *hdr, size_t *end)
{
	char name[128];
	bool found = false;
	for (size_t i = 0; i < cf->n; i++) {
		if (!section_name(cf->lines[i], name, sizeof(name)))
			continue;
		if (found) {
			*end = i;
			return true;
		}
		if (strcmp(name, sec) == 0) {
			found = true;
			*hdr = i;
		}
	}
	if (found)
		*end = cf->n;
	return found;
}

static bool option_is(const char *line, const char *option, const char **value)
{
	const char *o;
	size_t ol;
	if (is_blank_or_comment(line) || !setting(line, &o, &ol, value))
		return false;
	return ol == strlen(option) && strncmp(o, option, ol) == 0;
}

const char *conf_ptp4l_get(const struct conf_file *cf, const char *section, const char *option)
{
	size_t hdr, end;
	if (!find_section(cf, section, &hdr, &end))
		return NULL;
	const char *found = NULL, *v;
	for (size_t i = hdr + 1; i < end; i++)
		if (option_is(cf->lines[i], option, &v))
			found = v;
	return found;
}

bool conf_ptp4l_set(struct conf_file *cf, const char *section, const char *option,
		    const char *value)
{
	size_t hdr, end;
	char line[MAX_LINE];
	if (!find_section(cf, section, &hdr, &end)) {
		if (cf->n && !is_blank_or_comment(cf->lines[cf->n - 1]))
			conf_insert_line(cf, cf->n, "");
		snprintf(line, sizeof(line), "[%s]", section);
		conf_insert_line(cf, cf->n, line);
		snprintf(line, sizeof(line), "%s %s", option, value);
		conf_insert_line(cf, cf->n, line);
		return true;
	}
	bool changed = false, done = false;
	size_t last_setting = hdr;
	for (size_t i = hdr + 1; i < end; i++) {
		const char *v;
		if (!option_is(cf->lines[i], option, &v)) {
			if (!is_blank_or_comment(cf->lines[i]))
				last_setting = i;
			continue;
		}
		if (done) { /* a duplicate: ptp4l would take the last one; keep one line */
			conf_delete_line(cf, i);
			i--;
			end--;
			changed = true;
			continue;
		}
		done = true;
		last_setting = i;
		if (strcmp(v, value) != 0) {
			const char *l = cf->lines[i];
			int indent = (int)(skip_ws(l) - l);
			snprintf(line, sizeof(line), "%.*s%s %s", indent, l, option, value);
			conf_replace_line(cf, i, line);
			changed = true;
		}
	}
	if (!done) {
		snprintf(line, sizeof(line), "%s %s", option, value);
		conf_insert_line(cf, last_setting + 1, line);
		changed = true;
	}
	return changed;
}

bool conf_ptp4l_unset(struct conf_file *cf, const char *section, const char *option)
{
	size_t hdr, end;
	if (!find_section(cf, section, &hdr, &end))
		return false;
	bool changed = false;
	for (size_t i = hdr + 1; i < end; i++) {
		const char *v;
		if (option_is(cf->lines[i], option, &v)) {
			conf_delete_line(cf, i);
			i--;
			end--;
			changed = true;
		}
	}
	return changed;
}

/* ------------------------------------------------------------------ directive files */

int conf_tokens(const char *line, char *buf, size_t buflen, const char **tok, int max)
{
	snprintf(buf, buflen, "%s", line);
	char *hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(buf, " \t\r", &save); t && n < max; t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	return n;
}

bool conf_directive_set(struct conf_file *cf, bool (*match)(const char *line, void *ctx),
			void *ctx, const char *text, const char *comment)
{
	bool changed = false, done = false;
	for (size_t i = 0; i < cf->n; i++) {
		if (!match(cf->lines[i], ctx))
			continue;
		if (done) {
			conf_delete_line(cf, i);
			i--;
			changed = true;
			continue;
		}
		done = true;
		if (strcmp(cf->lines[i], text) != 0) {
			conf_replace_line(cf, i, text);
			changed = true;
		}
	}
	if (!done) {
		if (comment) {
			char line[MAX_LINE];
			if (cf->n && !is_blank_or_comment(cf->lines[cf->n - 1]))
				conf_insert_line(cf, cf->n, "");
			const char *c = comment;
			while (*c) {
				const char *nl = strchr(c, '\n');
				size_t l = nl ? (size_t)(nl - c) : strlen(c);
				snprintf(line, sizeof(line), "# %.*s", (int)l, c);
				conf_insert_line(cf, cf->n, line);
				c += l + (nl ? 1 : 0);
			}
		}
		conf_insert_line(cf, cf->n, text);
		changed = true;
	}
	return changed;
}

/* ------------------------------------------------------------------ diff */

struct lines {
	char **v;
	size_t n;
};

static struct lines split(const char *text)
{
	struct lines l = { NULL, 0 };
	size_t cap = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (l.n == cap) {
			cap = cap ? cap * 2 : 64;
			l.v = xrealloc(l.v, sizeof(char *) * cap);
		}
		l.v[l.n] = xmalloc(len + 1);
		memcpy(l.v[l.n], p, len);
		l.v[l.n][len] = '\0';
		l.n++;
		p += len + (nl ? 1 : 0);
	}
	return l;
}

static void free_lines(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)(n > 0 ? n : 0) + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
}

/* Edit script by the classic LCS table (configuration files are small; beyond 4000 lines a
 * side the diff degrades to "replace everything", which is still a correct diff). */
char *conf_diff(const char *old_text, const char *new_text, const char *path)
{
	if (strcmp(old_text, new_text) == 0)
		return xstrdup("");
	struct lines a = split(old_text), b = split(new_text);
	size_t n = a.n, m = b.n;
	/* ops: 0 same, 1 delete (a), 2 insert (b) in order */
	unsigned char *ops = xmalloc(n + m + 1);
	size_t nops = 0;
	if (n <= 4000 && m <= 4000) {
		unsigned short *lcs = xcalloc((n + 1) * (m + 1), sizeof(unsigned short));
#define L(i, j) lcs[(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				L(i, j) = strcmp(a.v[i], b.v[j]) == 0
						  ? (unsigned short)(L(i + 1, j + 1) + 1)
						  : (L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j) : L(i, j + 1));
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && strcmp(a.v[i], b.v[j]) == 0) {
				ops[nops++] = 0;
				i++;
				j++;
			} else if (i < n && (j == m || L(i + 1, j) >= L(i, j + 1))) {
				/* deletions before insertions on a tie: a replaced line reads
				 * "-old" then "+new", as diff(1) -u prints it */
				ops[nops++] = 1;
				i++;
			} else {
				ops[nops++] = 2;
				j++;
			}
		}
#undef L
		free(lcs);
	} else {
		for (size_t i = 0; i < n; i++)
			ops[nops++] = 1;
		for (size_t j = 0; j < m; j++)
			ops[nops++] = 2;
	}
	struct sbuf out = { NULL, 0, 0 };
	sb_add(&out, "--- %s\n+++ %s (ptpcal)\n", path, path);
	/* Group changes into hunks with 3 lines of context. */
	size_t k = 0, ai = 0, bj = 0;
	while (k < nops) {
		if (ops[k] == 0) {
			k++;
			ai++;
			bj++;
			continue;
		}
		/* hunk start: back up to 3 context lines */
		size_t ctx = 0;
		while (ctx < 3 && k - ctx > 0 && ops[k - ctx - 1] == 0)
			ctx++;
		size_t hk = k - ctx, ha = ai - ctx, hb = bj - ctx;
		/* hunk end: extend while changes are within 6 context lines of each other */
		size_t e = k, same = 0;
		while (e < nops) {
			if (ops[e] == 0) {
				same++;
				if (same > 6)
					break;
			} else {
				same = 0;
			}
			e++;
		}
		size_t tail = same > 3 ? same - 3 : same;
		if (e < nops || same > 3)
			e -= tail;
		size_t ca = 0, cb = 0;
		for (size_t q = hk; q < e; q++) {
			ca += ops[q] != 2;
			cb += ops[q] != 1;
		}
		sb_add(&out, "@@ -%zu,%zu +%zu,%zu @@\n", ca ? ha + 1 : ha, ca, cb ? hb + 1 : hb, cb);
		size_t x = ha, y = hb;
		for (size_t q = hk; q < e; q++) {
			if (ops[q] == 0) {
				sb_add(&out, " %s\n", a.v[x++]);
				y++;
			} else if (ops[q] == 1) {
				sb_add(&out, "-%s\n", a.v[x++]);
			} else {
				sb_add(&out, "+%s\n", b.v[y++]);
			}
		}
		k = e;
		ai = x;
		bj = y;
	}
	free(ops);
	free_lines(&a);
	free_lines(&b);
	return out.s;
}

/* ------------------------------------------------------------------ atomic write */

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static char *read_all(const char *path, bool *exists)
{
	FILE *f = fopen(path, "rb");
	*exists = f != NULL;
	if (!f)
		return NULL;
	struct sbuf b = { NULL, 0, 0 };
	char chunk[8192];
	size_t r;
	b.cap = 1;
	b.s = xmalloc(1);
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + r + 1 > b.cap) {
			b.cap = (b.len + r + 1) * 2;
			b.s = xrealloc(b.s, b.cap);
		}
		memcpy(b.s + b.len, chunk, r);
		b.len += r;
	}
	b.s[b.len] = '\0';
	fclose(f);
	return b.s;
}

static int fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Create PATH.suffix with content text, fsynced, with the given mode/owner. */
static int write_new(const char *tmpl_path, char *tmp, size_t tmplen, const char *text,
		     const struct stat *st)
{
	snprintf(tmp, tmplen, "%s.ptpcal-XXXXXX", tmpl_path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, text, strlen(text));
	if (rc == 0 && st) {
		if (fchmod(fd, st->st_mode & 07777) != 0)
			rc = -1;
		/* Keep the owner when we can (root editing a user's file); ignore EPERM. */
		if (fchown(fd, st->st_uid, st->st_gid) != 0 && errno != EPERM)
			rc = -1;
	} else if (rc == 0) {
		if (fchmod(fd, 0644) != 0)
			rc = -1;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	int saved = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		errno = saved;
	}
	return rc;
}

int conf_write_atomic(const char *path, const char *text, bool *changed, char **backup_out)
{
	*changed = false;
	if (backup_out)
		*backup_out = NULL;
	bool exists;
	char *old = read_all(path, &exists);
	if (!exists && errno != ENOENT) {
		log_err("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (old && strcmp(old, text) == 0) {
		free(old);
		return 0;
	}
	struct stat st;
	bool have_st = exists && stat(path, &st) == 0;
	/* A read-only file is a statement by its owner: refuse rather than rename over it (root
	 * would pass access(), so look at the mode bits too). */
	if (have_st && (access(path, W_OK) != 0 || (st.st_mode & 0222) == 0)) {
		log_err("%s: the file is read-only; nothing changed", path);
		free(old);
		return -1;
	}
	/* The new content first: if it cannot be written (disk full), nothing else happens. */
	char tmp[4096], tmpbak[4096];
	if (write_new(path, tmp, sizeof(tmp), text, have_st ? &st : NULL) != 0) {
		log_err("%s: cannot write: %s (the original is unchanged)", path, strerror(errno));
		free(old);
		return -1;
	}
	if (exists) {
		/* the backup, a full copy with the original's mode */
		char stamp[32], bak[4096];
		time_t now = time(NULL);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
		snprintf(bak, sizeof(bak), "%s.ptpcal-%s", path, stamp);
		if (write_new(path, tmpbak, sizeof(tmpbak), old, have_st ? &st : NULL) != 0 ||
		    rename(tmpbak, bak) != 0) {
			log_err("%s: cannot write a backup beside it: %s (the original is unchanged)",
				path, strerror(errno));
			unlink(tmpbak);
			unlink(tmp);
			free(old);
			return -1;
		}
		if (backup_out)
			*backup_out = xstrdup(bak);
	}
	free(old);
	if (rename(tmp, path) != 0) {
		log_err("%s: cannot replace: %s (the original is unchanged)", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	fsync_dir(path);
	*changed = true;
	return 0;
}
