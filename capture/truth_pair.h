/* Truth from a pulse-per-second reference: pairs PPS or EXTTS edges with PHC readings into
 * the true offset of a clock (the PHC, or the system clock) from the reference, one sample
 * per edge (the `truth` dataset, docs/dataset-format.md).
 *
 * An edge marks a whole second of the reference. Its time in the clock under test:
 *   PPS edge, clock PHC      sys_edge + (phc - sys) interpolated at sys_edge between the
 *                            readings just before and just after it
 *   EXTTS edge, clock PHC    the PHC's own timestamp of the edge (no readings needed)
 *   EXTTS edge, clock system phc_edge - (phc - sys) interpolated at phc_edge
 *   PPS edge, clock system   the kernel's CLOCK_REALTIME timestamp (no readings needed)
 * offset = that time - the nearest whole second, so folded into [-0.5 s, +0.5 s): a pulse
 * marks seconds, not which second (whole-second errors, e.g. TAI - UTC, are invisible here;
 * see `ptpcal phc cmp`). Sign: clock - reference, as PTP offsets (slave - master).
 * uncertainty = half the wider system-clock bracket of the two readings used (the reading's
 * own uncertainty; PPS interrupt latency and cable delays are not in it); NAN without
 * readings. Interpolation is exact integer arithmetic in 2^-16 ns. */
#ifndef PTPCAL_TRUTH_PAIR_H
#define PTPCAL_TRUTH_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/clocksrc.h"

enum truth_clock { TRUTH_CLOCK_PHC, TRUTH_CLOCK_SYSTEM };

struct truth_opts {
	enum truth_clock clock;
	int64_t max_gap_ns; /* the readings around an edge at most this far apart (0: 2 s) */
};

struct truth_sample {
	struct ptime t;        /* the edge in the clock under test's time */
	struct ptime ref_edge; /* the edge as the source stamped it (PPS: sys, EXTTS: phc) */
	int64_t second;        /* the whole second it is taken to mark, in that clock's scale */
	double offset_ns;      /* t - second, in [-0.5e9, 0.5e9) */
	double uncertainty_ns; /* NAN if no readings were involved */
	uint32_t seq;
};

struct truth_counts {
	uint64_t edges, paired;
	uint64_t no_readings;        /* no readings close enough around the edge */
	uint64_t missed_pulses;      /* sequence-number gaps */
	uint64_t interval_anomalies; /* edges not a whole number of seconds (+-1 ms) apart;
				      * those under 0.5 s after the last are skipped */
	uint64_t readings;
};

typedef void (*truth_fn)(void *ctx, const struct truth_sample *s);
struct truth_pairer;
struct truth_pairer *truth_pairer_new(const struct truth_opts *o, truth_fn fn, void *ctx);
/* Feed readings and edges in the order they arrive (readings in time order; an edge may
 * come after readings later than itself, as with a live device). */
void truth_pairer_reading(struct truth_pairer *p, const struct clk_event *r);
void truth_pairer_edge(struct truth_pairer *p, const struct clk_event *e);
/* Edges still waiting for a later reading count as no_readings. */
void truth_pairer_finish(struct truth_pairer *p);
/* True if the edges of this kind need PHC readings for the clock asked for. */
bool truth_needs_readings(enum truth_clock clock, enum clk_event_kind edge_kind);
const struct truth_counts *truth_pairer_counts(const struct truth_pairer *p);
void truth_pairer_free(struct truth_pairer *p);

#endif
