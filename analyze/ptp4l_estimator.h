/* ptp4l's end-to-end offset estimator, replayed on captured exchanges: what a ptp4l client
 * computes as "master offset" for each Sync, and the bias its servo settles at.
 *
 * linuxptp (v3.1.1 and v4.0-4.4 identical here; file:function cited in the .c):
 *   - port.c process_sync() adds delayAsymmetry to the Sync's correction; port_synchronize()
 *     hands clock_synchronize() t2 = ingress and t1c = origin + corrections;
 *   - port.c process_delay_resp() hands clock_path_delay() t3 = the Delay_Req's transmit
 *     timestamp and t4c = receiveTimestamp - the Delay_Resp's correction;
 *   - clock.c keeps ONE tsproc for E2E, made from the [global] tsproc_mode, delay_filter and
 *     delay_filter_length (clock_create(); a port section's values only reach the port's own
 *     tsproc, used for peer delay);
 *   - tsproc.c: each Delay_Resp: raw delay = ((t2 - t3) + (t4c - t1c)) / 2 with the LATEST
 *     Sync's t1c, t2 (rate ratio 1: free running or a locked PI servo; linreg's ratio differs
 *     from 1 by ppm, i.e. < 1 ns here), then filtered; each Sync: offset = t2 - t1c - delay,
 *     delay = the filtered delay (tsproc_mode filter, filter_weight) or the raw delay of this
 *     Sync with the latest Delay_Req (raw, raw_weight). tsproc.c names are IEEE 1588's.
 * A servo (pi.c and linreg.c alike) drives the mean of weight * offset to zero (pi.c
 * multiplies both terms by the weight), so the client settles at theta = -b with
 * b = the weighted mean of (offset_i - theta_i): the bias reported here. The weight is
 * filtered / raw delay capped at 1 in the *_weight modes, else 1 (tsproc_update_offset()).
 *
 * From exchanges: each exchange is a Sync (t2, fwd = t2 - t1c) and the Delay_Req answered
 * after it (t3, rev = t4c - t3). Exchanges sharing one Sync give one Sync; Syncs followed by
 * no Delay_Req are not in the exchanges and are missing from the replay (their offsets are
 * a random subset of the same process, so the mean is unchanged). Times are integer ns as
 * linuxptp's tmv_t; fwd and rev are rounded to the ns (linuxptp drops the sub-ns part of each
 * correction: at most 1 ns apart). */
#ifndef PTPCAL_PTP4L_ESTIMATOR_H
#define PTPCAL_PTP4L_ESTIMATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/bias.h"
#include "analyze/ptp4l_delay_filter.h"

enum ptp4l_tsproc_mode {
	PTP4L_TSPROC_FILTER, PTP4L_TSPROC_RAW, PTP4L_TSPROC_FILTER_WEIGHT, PTP4L_TSPROC_RAW_WEIGHT
};

struct ptp4l_estimator_cfg {
	enum ptp4l_tsproc_mode mode;      /* tsproc_mode, default filter */
	enum ptp4l_filter_type filter;    /* delay_filter, default moving_median */
	int length;                       /* delay_filter_length, default 10 */
	bool sw_timestamping;             /* time_stamping software (default hardware): only
					   * the refclock model's servo constants use it */
	char source[160];                 /* "defaults", "FILE", "options" ... for the report */
};

void ptp4l_estimator_cfg_default(struct ptp4l_estimator_cfg *c);
const char *ptp4l_tsproc_mode_name(enum ptp4l_tsproc_mode m);
bool ptp4l_tsproc_mode_parse(const char *s, enum ptp4l_tsproc_mode *m);
/* "tsproc_mode=filter, delay_filter=moving_median, delay_filter_length=10" into buf. */
const char *ptp4l_estimator_cfg_str(const struct ptp4l_estimator_cfg *c, char *buf, size_t len);

/* tsproc.c's state: the latest Sync and Delay_Req timestamps and the delay filter. */
struct ptp4l_tsproc {
	enum ptp4l_tsproc_mode mode;
	int64_t t1, t2, t3, t4;           /* 0 = not yet seen, as tmv_is_zero() */
	int64_t filtered_delay;
	bool filtered_delay_valid;
	struct ptp4l_delay_filter filter;
};

bool ptp4l_tsproc_init(struct ptp4l_tsproc *tp, const struct ptp4l_estimator_cfg *c);
void ptp4l_tsproc_free(struct ptp4l_tsproc *tp);
/* A Sync: origin + corrections (t1c) and ingress (t2). */
void ptp4l_tsproc_down_ts(struct ptp4l_tsproc *tp, int64_t t1c, int64_t t2);
/* A Delay_Resp: the Delay_Req's transmit time (t3) and receive time - correction (t4c). */
void ptp4l_tsproc_up_ts(struct ptp4l_tsproc *tp, int64_t t3, int64_t t4c);
/* tsproc_update_delay(): false while no Sync or Delay_Req was seen; *delay as clock.c's
 * path delay (filtered, or raw in the raw modes). */
bool ptp4l_tsproc_update_delay(struct ptp4l_tsproc *tp, int64_t *delay);
/* tsproc_update_offset(): false when ptp4l would not have an offset yet. */
bool ptp4l_tsproc_update_offset(struct ptp4l_tsproc *tp, int64_t *offset, double *weight);

/* The replay's per-Sync output. */
struct ptp4l_replay {
	size_t n;
	int64_t *t_ns;        /* t2 of the Sync */
	double *offset;       /* ptp4l's master offset, ns */
	double *delay;        /* the path delay it used, ns */
	double *weight;
	size_t *row;          /* the (first) exchange row of this Sync */
	size_t warmup;        /* offsets before the filter held `length` delays (not settled) */
};

/* Replays exchanges in time order (t2, then t3). t3 may be NULL: each exchange then stands
 * for its own Sync. Returns 0, or -1 on a bad configuration. */
int ptp4l_replay_exchanges(const struct ptp4l_estimator_cfg *c, size_t n, const int64_t *t2,
			   const int64_t *t3, const double *fwd, const double *rev,
			   struct ptp4l_replay *out);
void ptp4l_replay_free(struct ptp4l_replay *r);

/* The bias the servo settles at: weighted mean of err[i] (= offset - theta of each Sync
 * used; NAN entries are skipped) over the Syncs with use[i] (NULL: all after the warm-up),
 * with analyze/bias.h's interval (weights enter as w_i * err_i / mean w, which keeps the
 * mean exact and approximates the interval). Returns 0, or -1 with too few samples. */
int ptp4l_replay_bias(const struct ptp4l_replay *r, const double *err, const bool *use,
		      struct bias_estimate *out);

#endif
