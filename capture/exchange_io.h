/* The `exchanges` and `pdelay` datasets: writing them row by row as the pairer emits, and
 * reading exchanges back exactly (the analysis and the calibrator start from these files).
 * Columns are documented in docs/dataset-format.md. */
#ifndef PTPCAL_EXCHANGE_IO_H
#define PTPCAL_EXCHANGE_IO_H

#include <stdbool.h>

#include "capture/exchange.h"
#include "common/dataset.h"

/* Column names, in file order. */
extern const char *const exchange_columns[];
extern const int exchange_ncolumns;

struct exchange_writer;
/* Creates the file and writes the magic line; the caller adds metadata with
 * exchange_writer_ds() and ds_meta() before the first row. */
struct exchange_writer *exchange_writer_open(const char *path);
struct exchange_writer *exchange_writer_open_in(const struct outdir *dir, const char *name);
struct ds_writer *exchange_writer_ds(struct exchange_writer *w);
void exchange_writer_row(struct exchange_writer *w, const struct exchange *ex);
/* Flushes and closes; 0 or -1 (printed). */
int exchange_writer_close(struct exchange_writer *w);

struct pdelay_writer;
struct pdelay_writer *pdelay_writer_open(const char *path);
struct pdelay_writer *pdelay_writer_open_in(const struct outdir *dir, const char *name);
struct ds_writer *pdelay_writer_ds(struct pdelay_writer *w);
void pdelay_writer_row(struct pdelay_writer *w, const struct pdelay *pd);
int pdelay_writer_close(struct pdelay_writer *w);

/* Reading: opens an exchanges dataset and checks its columns. */
struct exchange_reader {
	struct ds_reader *ds;
	int c_domain, c_master, c_slave, c_encap, c_sync_seq, c_req_seq, c_two_step;
	int c_t1, c_t2, c_t3, c_t4, c_corr_sync, c_corr_req, c_corr_resp;
};
bool exchange_reader_open(struct exchange_reader *r, const char *path);
/* 1 row read into *ex (the derived values are recomputed from the exact times, never read
 * back rounded), 0 at the end, -1 on a malformed row (printed with file:line). */
int exchange_reader_next(struct exchange_reader *r, struct exchange *ex);
void exchange_reader_close(struct exchange_reader *r);

#endif
