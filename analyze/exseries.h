/* The exchanges under analysis, in memory, in time order: one row per delay-request/response
 * exchange from one or more `exchanges` datasets (docs/dataset-format.md), with the derived
 * values the analysis needs. Times are exact integer ns (t2, the slave's receive time of the
 * Sync); everything else is a double in ns. Sign convention: offset = slave - master. */
#ifndef PTPCAL_EXSERIES_H
#define PTPCAL_EXSERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/exchange.h"

#define EXS_SESSIONS 16

enum sample_state { SAMPLE_LOCKED = 0, SAMPLE_SETTLING = 1, SAMPLE_EXCLUDED = 2 };

struct ex_series {
	size_t n, cap;
	int64_t *t_ns;      /* t2 in ns since the epoch (the sub-ns part dropped) */
	int64_t *t3_ns;     /* t3 (Delay_Req sent): orders exchanges sharing one Sync's t2 */
	double *offset;     /* (fwd - rev)/2, ns */
	double *delay;      /* (fwd + rev)/2, ns */
	double *fwd, *rev;  /* apparent one-way delays, ns */
	double *raw_asym;   /* (t2 - t1) - (t4 - t3), ns: the asymmetry plus 2 theta */
	double *theta;      /* true offset of the slave (slave - master) at t2, NAN if unknown */
	unsigned char *state;  /* #define EXS_SESSIONS 16

enum sample_state */
	unsigned char *lucky;  /* 1: kept by the lucky-packet filter (all 1 without it) */
	/* A constant truth from the datasets' `truth_offset_ns` metadata (lab, replay). */
	bool have_const_truth;
	double const_truth_ns;
	char truth_ref[160];   /* the datasets' truth_source, or "" */
	int nfiles;
	int nsessions;         /* distinct (domain, master, slave) seen (up to EXS_SESSIONS) */
	char session0[128];    /* "master -> slave" of the first session */
	struct { uint8_t domain; struct ptp_port_id master, slave; } sessions[EXS_SESSIONS];
};

void exs_init(struct ex_series *s);
void exs_free(struct ex_series *s);

/* Appends every exchange of an exchanges dataset. Progress on stderr when it is a terminal.
 * false after printing "file:line: reason" (the caller exits 2). */
bool exs_load_exchanges(struct ex_series *s, const char *path);
/* Appends one exchange exactly (its t1..t4 differenced in scaled ns). false if the
 * timestamps are too far apart to difference. */
bool exs_add_exchange(struct ex_series *s, const struct exchange *ex);
/* Appends one exchange from integer ns times (tests). t* in ns; asym is the slave's configured
 * delayAsymmetry (ns), as in the dataset's asym_ns column. */
void exs_append(struct ex_series *s, int64_t t1, int64_t t2, int64_t t3, int64_t t4,
		   double asym);
/* Appends a sample of an offset-only series (truth, servo, NTP SHM): no delays. */
void exs_push_offset(struct ex_series *s, int64_t t_ns, double offset_ns);
/* Appends every row of a dataset of `kind` holding an exact time column `tcol` and an
 * `offset_ns` column (e.g. kind ntpshm, tcol sys_time). false after printing why. */
bool exs_load_offsets(struct ex_series *s, const char *path, const char *kind, const char *tcol);
/* Appends the readings of a `phc` dataset (ptpcal phc record) as the offset series
 * phc - sys (ns, from the exact times), at time sys. false after printing why. */
bool exs_load_phc(struct ex_series *s, const char *path);
/* Puts the rows in time order (stable); call after loading every file. */
void exs_sort(struct ex_series *s);

/* Seconds since the first row, for sample i. */
static inline double exs_t_s(const struct ex_series *s, size_t i)
{
	return (double)(s->t_ns[i] - s->t_ns[0]) * 1e-9;
}

#endif
