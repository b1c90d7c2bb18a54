/* Pairing PTP messages into delay-request/response exchanges and peer-delay measurements.
 *
 * Timestamp names are IEEE 1588's (not linuxptp tsproc.c's, which swaps them for peer delay):
 *   t1  Sync sent by the master       originTimestamp (one-step) or the Follow_Up's
 *                                     preciseOriginTimestamp (two-step), plus the Sync's and
 *                                     the Follow_Up's correctionField
 *   t2  Sync received by the slave    capture timestamp (capture taken at the slave)
 *   t3  Delay_Req sent by the slave   capture timestamp
 *   t4  Delay_Req received by master  Delay_Resp receiveTimestamp minus its correctionField
 *
 * With the slave's delayAsymmetry A (linuxptp puts -A into every Delay_Req it sends and adds
 * +A to each received Sync's correction, port.c; ptpcal reads A back as -correctionField of
 * the captured Delay_Req):
 *   fwd    = t2 - t1 - A              apparent master->slave delay  (= d_ms + theta - A)
 *   rev    = t4 - t3                  apparent slave->master delay  (= d_sm - theta + A)
 *   offset = (fwd - rev) / 2          offsetFromMaster, IEEE 1588-2019 11.3.2 / 11.4;
 *                                     ptp4l's raw offset: tsproc.c "offset = t2 - t1 - delay"
 *   delay  = (fwd + rev) / 2          meanPathDelay; ptp4l's raw delay before its filter:
 *                                     tsproc.c "delay = ((t2 - t3) * rr + (t4 - t1)) / 2", rr = 1
 * Sign convention: offset = slave - master, as IEEE 1588 and ptp4l print it.
 *
 * One exchange per answered Delay_Req, paired with the most recent complete Sync (one-step,
 * or two-step with its Follow_Up) from the answering master captured before the Delay_Req.
 * Sessions are (domain, master port identity, slave port identity). Memory per master and per
 * slave is a fixed ring indexed by sequenceId, so it never grows with the capture's length,
 * and sequenceId wrap-around needs no special case. */
#ifndef PTPCAL_EXCHANGE_H
#define PTPCAL_EXCHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/packet.h"

struct exchange {
	uint8_t domain;
	struct ptp_port_id master, slave;
	enum frame_encap encap;
	uint16_t sync_seq, req_seq;
	bool two_step;
	struct ptime t1, t2, t3, t4;
	int64_t corr_sync; /* Sync + Follow_Up correctionField, scaled ns */
	int64_t corr_req;  /* Delay_Req correctionField as captured */
	int64_t corr_resp; /* Delay_Resp correctionField */
	double asym_ns;    /* the slave's delayAsymmetry, -corr_req */
	double fwd_ns, rev_ns, offset_ns, delay_ns;
};

/* Peer delay, IEEE 1588-2019 11.4.2 names: t1 Pdelay_Req sent (capture at the requester),
 * t2 its receipt (Pdelay_Resp requestReceiptTimestamp), t3 Pdelay_Resp sent
 * (Pdelay_Resp_Follow_Up responseOriginTimestamp), t4 Pdelay_Resp received (capture).
 *   link_delay = ((t4 - t1) - (t3 - t2) - corr_resp - corr_fup + corr_req) / 2
 * where +corr_req re-applies the requester's own delayAsymmetry as ptp4l does (port.c
 * port_peer_delay adds it to the response's correction). One-step responses carry the
 * turnaround in corr_resp and zero t2/t3. */
struct pdelay {
	uint8_t domain;
	struct ptp_port_id requester, responder;
	enum frame_encap encap;
	uint16_t seq;
	bool two_step;
	struct ptime t1, t2, t3, t4;
	int64_t corr_req, corr_resp, corr_fup;
	double turnaround_ns, link_delay_ns;
};

/* Why a message could not be used; each is counted. */
struct pair_counts {
	uint64_t sync_without_fup;      /* two-step Sync whose Follow_Up never came */
	uint64_t fup_without_sync;      /* Follow_Up whose Sync was never seen */
	uint64_t sync_duplicate, fup_duplicate;
	uint64_t req_unanswered;        /* Delay_Req never answered (lost Delay_Resp) */
	uint64_t req_pending_at_end;    /* still waiting when the capture ended */
	uint64_t req_duplicate;
	uint64_t req_inbound;           /* Delay_Req received from another port (SLL says IN) */
	uint64_t resp_unmatched;        /* Delay_Resp without a captured Delay_Req */
	uint64_t resp_duplicate;
	uint64_t resp_no_sync;          /* answered, but no complete Sync before the Delay_Req */
	uint64_t out_of_range;          /* timestamps too far apart to difference exactly */
	uint64_t pdelay_incomplete;     /* Pdelay_Req without response or follow-up */
	uint64_t pdelay_unmatched;      /* Pdelay_Resp / _Follow_Up without its request */
	uint64_t table_full;            /* more distinct ports than PORT_TABLE_MAX */
	uint64_t reordered;             /* capture timestamps going backwards */
};

struct session_stats {
	uint8_t domain;
	struct ptp_port_id master, slave;
	enum frame_encap encap;
	uint64_t n;
	struct ptime first_t2, last_t2;
	double offset_sum, delay_sum, offset_min, offset_max, delay_min, delay_max;
};

typedef void (*exchange_fn)(void *ctx, const struct exchange *ex);
typedef void (*pdelay_fn)(void *ctx, const struct pdelay *pd);

struct pairer_opts {
	bool have_slave;            /* only pair Delay_Reqs of this slave port */
	struct ptp_port_id slave;
	bool any_direction;         /* pair inbound Delay_Reqs too (capture on a mirror port) */
};

struct pairer;
struct pairer *pairer_new(const struct pairer_opts *opts, exchange_fn on_ex, pdelay_fn on_pd,
			  void *ctx);
void pairer_feed(struct pairer *p, const struct ptp_packet *pkt);
/* Counts what is still pending; call once at the end. */
void pairer_finish(struct pairer *p);
const struct pair_counts *pairer_counts(const struct pairer *p);
uint64_t pairer_exchanges(const struct pairer *p);
uint64_t pairer_pdelays(const struct pairer *p);
int pairer_nsessions(const struct pairer *p);
const struct session_stats *pairer_session(const struct pairer *p, int i);
void pairer_free(struct pairer *p);

/* Compute fwd/rev/offset/delay of an exchange from t1..t4 and corr_req; false if the
 * timestamps are too far apart to difference (e.g. a 1970 origin against a 2025 capture). */
bool exchange_derive(struct exchange *ex);

#endif
