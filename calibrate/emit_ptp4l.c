/* ptp4l.conf: delayAsymmetry (or ingressLatency/egressLatency) in ns.
 *
 * Checked in linuxptp config.c: PORT_ITEM_INT("delayAsymmetry", 0, INT_MIN, INT_MAX),
 * PORT_ITEM_INT("egressLatency", ...), PORT_ITEM_INT("ingressLatency", ...) in v3.1.1, v4.0
 * and v4.4 alike: same names, integers (ns), per port or in [global]; port.c shifts each
 * <<16 (scaled ns). The option names that differ between 3.1.1 and 4.x (slaveOnly vs
 * clientOnly, ptp_minor_version) are not touched here. Signs: correction.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate/emit.h"
#include "common/log.h"

static bool read_int(const struct conf_file *cf, const char *section, const char *opt, double *out)
{
	const char *v = conf_ptp4l_get(cf, section, opt);
	*out = 0;
	if (!v)
		return true;
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < INT_MIN || x > INT_MAX) {
		log_err("%s: [%s] %s %s: not an integer number of ns (ptp4l would refuse it)",
			cf->path, section, opt, v);
		return false;
	}
	*out = (double)x;
	return true;
}

bool ptp4l_read_current(const struct conf_file *cf, const char *section, struct cal_current *cur)
{
	return read_int(cf, section, "delayAsymmetry", &cur->asymmetry_ns) &&
	       read_int(cf, section, "ingressLatency", &cur->ingress_ns) &&
	       read_int(cf, section, "egressLatency", &cur->egress_ns);
}

void emit_ptp4l(const struct cal_correction *c, const struct cal_current *cur,
		const char *section, struct cal_emit *e)
{
	memset(e, 0, sizeof(*e));
	e->target = "ptp4l";
	snprintf(e->lines[e->nlines++], sizeof(e->lines[0]), "[%s]", section);
	if (c->layer == CAL_LAYER_PTP4L) {
		long v = c->knob == CAL_KNOB_INGRESS ? c->ingress_ns :
			 c->knob == CAL_KNOB_EGRESS ? c->egress_ns : c->asymmetry_ns;
		snprintf(e->lines[e->nlines++], sizeof(e->lines[0]), "%s %ld",
			 cal_knob_option(c->knob), v);
		if (c->knob == CAL_KNOB_ASYMMETRY)
			snprintf(e->note, sizeof(e->note),
				 "delayAsymmetry is in ns and is HALF the difference of the one-way "
				 "delays, (d_ms - d_sm)/2, positive when master-to-slave is longer; "
				 "ptp4l adds it to each Sync's correction and sends -delayAsymmetry in "
				 "Delay_Req (linuxptp port.c v3.1.1 and v4.4). Same option name in "
				 "3.x and 4.x. The refclock gets no fudge.");
		else
			snprintf(e->note, sizeof(e->note),
				 "%s in ns, treating the bias as a timestamp latency of this port "
				 "(port.c: ingressLatency is subtracted from receive timestamps, "
				 "egressLatency added to transmit timestamps; each moves the offset by "
				 "half its value). Same option name in 3.x and 4.x. The refclock gets "
				 "no fudge.", cal_knob_option(c->knob));
	} else if (cur->asymmetry_ns != 0) {
		snprintf(e->lines[e->nlines++], sizeof(e->lines[0]), "delayAsymmetry 0");
		snprintf(e->note, sizeof(e->note),
			 "the bias is corrected in the refclock; the current delayAsymmetry %.0f is "
			 "removed (folded into the fudge) so that only one layer corrects it.",
			 cur->asymmetry_ns);
	} else {
		e->nlines = 0;
		snprintf(e->note, sizeof(e->note),
			 "the bias is corrected in the refclock: leave ptp4l without delayAsymmetry.");
	}
}

bool ptp4l_apply(struct conf_file *cf, const char *section, const struct cal_correction *c,
		 const struct cal_current *cur)
{
	char v[32];
	bool changed = false;
	if (c->layer == CAL_LAYER_PTP4L) {
		long x = c->knob == CAL_KNOB_INGRESS ? c->ingress_ns :
			 c->knob == CAL_KNOB_EGRESS ? c->egress_ns : c->asymmetry_ns;
		snprintf(v, sizeof(v), "%ld", x);
		changed = conf_ptp4l_set(cf, section, cal_knob_option(c->knob), v);
	} else if (cur->asymmetry_ns != 0 ||
		   conf_ptp4l_get(cf, section, "delayAsymmetry")) {
		changed = conf_ptp4l_unset(cf, section, "delayAsymmetry");
	}
	return changed;
}
