/* Safe, minimal edits of daemon configuration files (ptp4l.conf, ntp.conf, chrony.conf):
 * load as lines, change only the lines that must change (comments, order and every other line
 * stay as they are), show a unified diff, and write atomically with a backup.
 *
 * Writing: a temporary file in the same directory, fsync, the original's mode and owner,
 * rename over the original, fsync of the directory; the original is first copied to
 * PATH.ptpcal-YYYYMMDDTHHMMSSZ. Re-applying the same change writes nothing (idempotent). On
 * any error (read-only file or directory, disk full) the original is left intact and the
 * temporary file removed.
 *
 * ptp4l.conf syntax, from linuxptp config.c config_read (v3.1.1 .. v4.4): a comment is a line
 * whose first non-blank character is '#' (a '#' after a value is part of the value, so this
 * module never writes trailing comments); "[name]" starts a section; every setting line is
 * "option value" inside a section, and a line outside any section is an error. */
#ifndef PTPCAL_CONF_EDIT_H
#define PTPCAL_CONF_EDIT_H

#include <stdbool.h>
#include <stddef.h>

struct conf_file {
	char *path;
	char **lines; /* without newline */
	size_t n, cap;
	bool final_newline;
	bool existed; /* false when loaded with allow_missing and the file was absent */
};

/* Load path. allow_missing: an absent file loads as empty (to create it). False after
 * printing a one-line error (unreadable, NUL bytes, a line over 4096 bytes). */
bool conf_load(struct conf_file *cf, const char *path, bool allow_missing);
void conf_free(struct conf_file *cf);
/* The whole text (malloc'd). */
char *conf_render(const struct conf_file *cf);

/* Line operations (index-based). */
void conf_insert_line(struct conf_file *cf, size_t at, const char *text);
void conf_replace_line(struct conf_file *cf, size_t at, const char *text);
void conf_delete_line(struct conf_file *cf, size_t at);

/* ---- ptp4l.conf ---- */
/* Checks the syntax as ptp4l would (every setting inside a section, "option value" form).
 * False after printing "path:line: reason". */
bool conf_ptp4l_validate(const struct conf_file *cf);
/* The value of option in section ("global" or a port name), or NULL. The last occurrence
 * wins, as in ptp4l. The returned pointer is valid until the next edit. */
const char *conf_ptp4l_get(const struct conf_file *cf, const char *section, const char *option);
/* Set option to value in section, creating the section at the end if needed. An existing
 * line is replaced in place (keeping its indentation); further duplicates in the section are
 * removed. Returns true if the text changed. */
bool conf_ptp4l_set(struct conf_file *cf, const char *section, const char *option,
		    const char *value);
/* Remove the option from the section; true if anything was removed. */
bool conf_ptp4l_unset(struct conf_file *cf, const char *section, const char *option);

/* ---- line-directive files (ntp.conf, chrony.conf) ---- */
/* match(line, ctx) decides whether a line is "the" directive to replace (callers tokenise).
 * The first matching line is replaced by `text`, later matching lines are removed; with no
 * match, `text` is appended (after `comment` lines if given, each prefixed "# "). Returns
 * true if the text changed. */
bool conf_directive_set(struct conf_file *cf, bool (*match)(const char *line, void *ctx),
			void *ctx, const char *text, const char *comment);
/* Split a directive line into whitespace-separated tokens, ignoring a trailing "# comment".
 * Writes at most max pointers into a copy kept in buf (size buflen); returns the count. */
int conf_tokens(const char *line, char *buf, size_t buflen, const char **tok, int max);

/* ---- diff and write ---- */
/* A unified diff (3 lines of context) from old to new text, labelled with path; "" when
 * equal. malloc'd. */
char *conf_diff(const char *old_text, const char *new_text, const char *path);
/* Write text to path atomically as described above. If the file exists and holds exactly
 * text, nothing is written and *changed is false. backup_out (may be NULL) receives the
 * backup's path (malloc'd) or NULL. 0, or -1 after printing one line. */
int conf_write_atomic(const char *path, const char *text, bool *changed, char **backup_out);

#endif
