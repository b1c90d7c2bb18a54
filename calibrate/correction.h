/* The physics of a calibration: from a measured bias of the PTP offset to the values each
 * layer must be given, as one consistent set (never both layers at once).
 *
 * Master time T, client clock C = T + theta, forward delay d_ms, reverse delay d_sm, the
 * client's current delayAsymmetry A (IEEE 1588 and linuxptp subtract it from the offset):
 *   t2 - t1 = d_ms + theta,   t4 - t3 = d_sm - theta
 *   offset estimate  theta^ = theta + (d_ms - d_sm)/2 - A      (slave - master)
 *   mean path delay          (d_ms + d_sm)/2
 * A servo that zeroes theta^ leaves the client at theta = -((d_ms - d_sm)/2 - A) = -b, where
 *   b = theta^ - theta       the bias, measured against a reference for theta.
 * Asymmetry cannot be seen from two-way exchanges alone: b needs a reference (reference.h).
 *
 * PTP layer (preferred): delayAsymmetry A' = A + b cancels it (linuxptp port.c v3.1.1 and
 * v4.4: "m->header.correction += p->asymmetry" on a received Sync and "correction =
 * -p->asymmetry" in Delay_Req/Pdelay_Req, p->asymmetry = delayAsymmetry << 16, i.e. ns; the
 * offset becomes t2 - t1 - meanPathDelay - A). Note: A is HALF the difference of the one-way
 * delays, (d_ms - d_sm)/2, although ptp4l.8 calls it "the time difference of the transmit
 * and receive paths".
 * When the bias is a NIC/PHY latency rather than a path asymmetry: ingressLatency I is
 * subtracted from every receive timestamp (port.c "ts_add(&msg->hwts.ts,
 * -p->rx_timestamp_offset)"), so t2 drops by I and the offset by I/2: I' = I + 2b;
 * egressLatency E is added to every transmit timestamp (port.c "ts_add(&msg->hwts.ts,
 * p->tx_timestamp_offset)"), so t3 rises by E, t4 - t3 drops by E and the offset rises by
 * E/2: E' = E - 2b. Both in ns (<< 16 in port.c), same names in v1.5 .. v4.4.
 *
 * Refclock layer (ntpsec/ntpd time1, chrony offset; seconds): the PHC (and the SHM samples
 * phc2sys writes from it) sits at theta = -b; with delayAsymmetry removed from ptp4l it sits
 * at -(b + A). ntpsec/ntpd sample = reference time - receive time + time1 (ntp_refclock.c
 * refclock_process_offset "SAMPLE(doffset + fudge)", refclock_shm.c passes fudgetime1);
 * chrony offset = ref_time - sample_time + offset (refclock.c RCL_AddSample, 4.3). The
 * daemon steers the system clock to reference + fudge, so fudge = +(b + A) * 1e-9 s.
 * A positive fudge makes the refclock read later. */
#ifndef PTPCAL_CORRECTION_H
#define PTPCAL_CORRECTION_H

#include <stdbool.h>

enum cal_layer { CAL_LAYER_PTP4L, CAL_LAYER_REFCLOCK };
enum cal_knob { CAL_KNOB_ASYMMETRY, CAL_KNOB_INGRESS, CAL_KNOB_EGRESS };

/* What is configured now (0 when absent). */
struct cal_current {
	double asymmetry_ns;  /* ptp4l delayAsymmetry */
	double ingress_ns;    /* ptp4l ingressLatency */
	double egress_ns;     /* ptp4l egressLatency */
	double fudge_s;       /* refclock time1 / offset */
	bool have_fudge;
};

struct cal_correction {
	enum cal_layer layer;
	enum cal_knob knob;
	/* ptp4l: the values to configure (integers: ptp4l parses them with config_get_int). */
	long asymmetry_ns, ingress_ns, egress_ns;
	/* refclock: the fudge to configure, seconds (0 on the PTP layer: no fudge). */
	double fudge_s;
	/* The total correction in the chosen layer, ns: what the report calls correction_ns. */
	double correction_ns;
};

/* b: bias of the PTP offset against the reference (slave - master, ns). */
void cal_correct(double b, const struct cal_current *cur, enum cal_layer layer,
		 enum cal_knob knob, struct cal_correction *out);

const char *cal_layer_name(enum cal_layer l);
const char *cal_knob_option(enum cal_knob k); /* the ptp4l option name */

#endif
