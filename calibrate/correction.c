/* The physics of a calibration; the derivation and the sources are in correction.h. */
#include "calibrate/correction.h"

#include <math.h>

void cal_correct(double b, const struct cal_current *cur, enum cal_layer layer,
		 enum cal_knob knob, struct cal_correction *out)
{
	out->layer = layer;
	out->knob = knob;
	out->asymmetry_ns = lround(cur->asymmetry_ns);
	out->ingress_ns = lround(cur->ingress_ns);
	out->egress_ns = lround(cur->egress_ns);
	out->fudge_s = 0;
	if (layer == CAL_LAYER_PTP4L) {
		/* offset = theta + (d_ms - d_sm)/2 - A - I/2 + E/2 (slave - master) */
		switch (knob) {
		case CAL_KNOB_ASYMMETRY:
			out->asymmetry_ns = lround(cur->asymmetry_ns + b);
			out->correction_ns = (double)out->asymmetry_ns;
			break;
		case CAL_KNOB_INGRESS:
			out->ingress_ns = lround(cur->ingress_ns + 2 * b);
			out->correction_ns = (double)out->ingress_ns;
			break;
		case CAL_KNOB_EGRESS:
			out->egress_ns = lround(cur->egress_ns - 2 * b);
			out->correction_ns = (double)out->egress_ns;
			break;
		}
		return;
	}
	/* Refclock layer: ptp4l's delayAsymmetry goes back to 0 (one layer only), which moves
	 * the PHC to theta = -(b + A); the fudge puts the system clock back on the master. */
	out->asymmetry_ns = 0;
	out->correction_ns = b + cur->asymmetry_ns;
	/* Rounded to the ns, as written (9 decimals of a second). */
	out->fudge_s = round(out->correction_ns) * 1e-9;
}

const char *cal_layer_name(enum cal_layer l)
{
	return l == CAL_LAYER_PTP4L ? "ptp4l" : "refclock";
}

const char *cal_knob_option(enum cal_knob k)
{
	switch (k) {
	case CAL_KNOB_INGRESS: return "ingressLatency";
	case CAL_KNOB_EGRESS: return "egressLatency";
	default: return "delayAsymmetry";
	}
}
