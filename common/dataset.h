/* ptpcal datasets: versioned, tab-separated text that gnuplot, awk and spreadsheets read as
 * they are. The format is specified in docs/dataset-format.md; in short:
 *
 *   # ptpcal-dataset 1 exchanges         <- magic, format version, kind
 *   # source: run.pcapng                 <- "# key: value" metadata, any number
 *   t_s	t1	t2	offset_ns ...       <- one header line, units in the names
 *   0.000000	1700000000.123456789 ...   <- one row per event, same number of fields
 *
 * Metadata only known at the end of a run may follow the last row as "# key: value" lines
 * (keys [A-Za-z0-9_.-]+); ds_meta() writes either kind. Other lines starting with '#' are
 * comments. Absolute times are written exactly (common/ptime.h); missing values are "nan". Readers
 * reject an unknown version, a wrong kind and any malformed row with "file:line: reason". */
#ifndef PTPCAL_DATASET_H
#define PTPCAL_DATASET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/ptime.h"

#define DATASET_VERSION 1

/* ---- writer ---- */
struct ds_writer;

/* path "-" writes to stdout. NULL (after printing why) if the file cannot be created. */
struct ds_writer *ds_create(const char *path, const char *kind);
/* The same, NAME created in an output directory opened before (common/outdir.h). */
struct outdir;
struct ds_writer *ds_create_in(const struct outdir *dir, const char *name, const char *kind);
void ds_meta(struct ds_writer *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The header line; ends the metadata. `names` has n entries. */
void ds_columns(struct ds_writer *w, const char *const *names, int n);
/* Declare the columns now, write the header line with the first row (or at close): metadata
 * may be added until then. `names` must stay valid until the header is written. */
void ds_declare_columns(struct ds_writer *w, const char *const *names, int n);
void ds_put_str(struct ds_writer *w, const char *s);
/* A string known to hold no tab or newline (no check): identifiers in hot loops. */
void ds_put_word(struct ds_writer *w, const char *s, size_t len);
void ds_put_time(struct ds_writer *w, struct ptime t);
void ds_put_i64(struct ds_writer *w, int64_t v);
void ds_put_fixed(struct ds_writer *w, double v, int decimals);
void ds_put_double(struct ds_writer *w, double v); /* round-trip exact */
void ds_end_row(struct ds_writer *w);
/* A whole row formatted by the caller into the output buffer, for the hot writers: ds_row_begin
 * returns room for max bytes (max <= 4096), the caller writes the nfields fields with their
 * tabs (no newline) and hands the end to ds_row_end, which checks nfields against the header
 * and ends the line. Nothing else may be put in between. */
#define DS_ROW_MAX 4096
char *ds_row_begin(struct ds_writer *w, size_t max);
void ds_row_end(struct ds_writer *w, char *end, int nfields);
/* Text of t as ds_put_time writes it, at p (room for PTIME_STRLEN); returns the end. */
char *ds_fmt_time(struct ds_writer *w, char *p, struct ptime t);
/* Push buffered rows to the kernel (long runs call it periodically and on SIGINT). */
int ds_flush(struct ds_writer *w);
/* Flush and close. 0, or -1 after printing the error (e.g. "disk full"). Frees w. */
int ds_close(struct ds_writer *w);
uint64_t ds_rows_written(const struct ds_writer *w);

/* ---- reader ---- */
struct ds_reader;

/* NULL after printing why. expect_kind NULL accepts any kind. path "-" reads stdin. */
struct ds_reader *ds_open(const char *path, const char *expect_kind);
void ds_reader_close(struct ds_reader *r);
const char *ds_kind(const struct ds_reader *r);
const char *ds_path(const struct ds_reader *r);
long ds_line(const struct ds_reader *r);
/* Metadata value, or NULL. Keys compare exactly. */
const char *ds_meta_get(const struct ds_reader *r, const char *key);
int ds_meta_count(const struct ds_reader *r);
void ds_meta_at(const struct ds_reader *r, int i, const char **key, const char **value);
int ds_ncols(const struct ds_reader *r);
const char *ds_colname(const struct ds_reader *r, int i);
/* Column index by name, or -1. */
int ds_col(const struct ds_reader *r, const char *name);
/* Like ds_col but prints "file: no column NAME" and returns -1 when it is missing. */
int ds_require_col(struct ds_reader *r, const char *name);

/* Next row: 1, 0 at end of file, -1 on a malformed row (already reported). */
int ds_next(struct ds_reader *r);
const char *ds_field(const struct ds_reader *r, int col);
/* Typed access to the current row; false (after printing file:line) on a malformed value.
 * "nan" reads as NaN for doubles and is an error for times and integers. */
bool ds_get_time(struct ds_reader *r, int col, struct ptime *out);
bool ds_get_double(struct ds_reader *r, int col, double *out);
bool ds_get_i64(struct ds_reader *r, int col, int64_t *out);
/* True once any error was reported; callers exit with EXIT_USAGE. */
bool ds_failed(const struct ds_reader *r);
/* Report an error at the current line (for semantic checks by callers). */
void ds_error(struct ds_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing shared with the CLI (whole string, no trailing junk). */
bool parse_double_strict(const char *s, double *out);
bool parse_i64_strict(const char *s, int64_t *out);

#endif
