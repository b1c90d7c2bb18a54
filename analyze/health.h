/* Protocol health of a PTP capture: what the messages themselves say, independent of the
 * offset statistics. Fed one message at a time (from a `messages` dataset or a pcap file,
 * analyze/health_input.h), judged at the end into findings (analyze/findings.h):
 *  - message rates against the advertised logMessageInterval (Sync, Announce: one per
 *    interval, linuxptp port.c; Delay_Req: random in [0, 2 * 2^logMinDelayReqInterval],
 *    mean 2^L, port.c port_set_delay_tmo, the interval announced in Delay_Resp);
 *  - sequence gaps (loss), duplicates; two-step Syncs without Follow_Up, Delay_Reqs without
 *    Delay_Resp;
 *  - correctionField statistics (a transparent clock on the path);
 *  - grandmaster and clockClass changes;
 *  - UTC/TAI: Announce currentUtcOffset against TAI - UTC from leap-seconds.list, its valid
 *    flag, ptpTimescale, and the master's origin timestamps against the capture clock (taken
 *    to be UTC, as CLOCK_REALTIME is): the PTP timescale is TAI, ahead of UTC by TAI - UTC;
 *    a grandmaster that says ptpTimescale but sends UTC-valued times is the 37-second error
 *    of docs/errata.md. Flag bits: linuxptp msg.h (flagField[1]: UTC_OFF_VALID 1<<2,
 *    PTP_TIMESCALE 1<<3; flagField[0]: TWO_STEP 1<<1). */
#ifndef PTPCAL_HEALTH_H
#define PTPCAL_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/findings.h"
#include "common/leapfile.h"
#include "capture/ptp_wire.h"

/* One message, as the health check needs it. */
struct health_msg {
	int64_t t_ns;            /* capture time, ns since the epoch (the host's UTC) */
	int type;                /* PTP_SYNC ... */
	uint8_t domain;
	uint16_t seq;
	struct ptp_port_id source;
	uint16_t flags;          /* flagField, octet 0 high */
	int64_t correction;      /* scaled ns */
	int8_t log_interval;
	bool has_ts;
	int64_t ts_sec;          /* the body's timestamp (origin, receive ...) */
	uint32_t ts_nsec;
	bool has_port2;
	struct ptp_port_id port2;
	bool is_announce;        /* the fields below are set */
	uint8_t gm[8];
	uint8_t clock_class;
	int16_t utc_offset;
};

#define HEALTH_TWO_STEP 0x0200      /* flagField[0] bit 1 */
#define HEALTH_UTC_OFF_VALID 0x0004 /* flagField[1] bit 2 */
#define HEALTH_PTP_TIMESCALE 0x0008 /* flagField[1] bit 3 */

struct health;
struct health *health_new(void);
void health_feed(struct health *h, const struct health_msg *m);
uint64_t health_messages(const struct health *h);
/* Judges everything fed; ls may be NULL (leap-seconds.list unavailable: said so, and the
 * Announce's own currentUtcOffset stands in for TAI - UTC where needed). */
void health_judge(struct health *h, const struct leapfile *ls, struct findings *out);
void health_free(struct health *h);

/* The 37-second check on a measured offset (exchanges' offset, truth offset, PHC - UTC) in
 * ns: an error finding when |offset| is within 1 s of TAI - UTC (at time unix_s). */
void health_check_offset_37(const char *what, double offset_ns, const struct leapfile *ls,
			    int64_t unix_s, struct findings *out);

/* PHC - system clock (UTC) of a `phc` dataset, median in ns: a PHC that carries the PTP
 * timescale is TAI, TAI - UTC ahead of UTC (the guide's `phc_ctl /dev/ptp0 cmp` "~+37 s").
 * ok when it is; warn when it holds UTC (a grandmaster announcing ptpTimescale from it sends
 * UTC as TAI: the 37-second error); error at -(TAI - UTC) or 2 (TAI - UTC) (the offset applied
 * backwards or twice); info otherwise. */
void health_check_phc(double phc_minus_sys_ns, const struct leapfile *ls, int64_t unix_s,
		      struct findings *out);

#endif
