#include <stdio.h>
#include <string.h>

#include "pipeline/watchdog_policy.h"

const char *wd_state_name(enum wd_state s)
{
	switch (s) {
	case WD_LOCKED: return "LOCKED";
	case WD_LOSING: return "LOSING";
	case WD_HOLDOVER: return "HOLDOVER";
	case WD_DEGRADED: return "DEGRADED";
	case WD_RECOVERING: return "RECOVERING";
	}
	return "?";
}

void wd_config_default(struct wd_config *c)
{
	c->loss_s = 10;
	c->holdover_s = 3600;
	c->recover_s = 60;
	c->holdover_class = 7;
	c->degraded_class = 52;
	c->traceable_when_locked = true;
}

void wd_init(struct wd *w, const struct wd_config *cfg, int64_t now_ns)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	w->state = WD_LOCKED;
	w->gnss_good = true;
	w->good_since_ns = now_ns;
	w->bad_since_ns = now_ns;
	snprintf(w->reason, sizeof(w->reason), "start");
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static bool go(struct wd *w, enum wd_state s)
{
	if (w->state == s)
		return false;
	w->state = s;
	return true;
}

bool wd_step(struct wd *w, bool good, const char *why_bad, int64_t now)
{
	if (good && !w->gnss_good)
		w->good_since_ns = now;
	/* a new loss episode starts only from LOCKED; a flap during RECOVERING continues the
	 * episode (and its holdover budget) that started earlier */
	if (!good && w->gnss_good && w->state != WD_RECOVERING)
		w->bad_since_ns = now;
	w->gnss_good = good;
	double bad_for = secs(now - w->bad_since_ns), good_for = secs(now - w->good_since_ns);
	const char *why = why_bad && *why_bad ? why_bad : "GNSS lost";
	switch (w->state) {
	case WD_LOCKED:
	case WD_LOSING:
		if (good) {
			if (w->state == WD_LOSING)
				snprintf(w->reason, sizeof(w->reason), "GNSS back after %.1f s", bad_for);
			return go(w, WD_LOCKED);
		}
		if (bad_for >= w->cfg.loss_s + w->cfg.holdover_s) {
			snprintf(w->reason, sizeof(w->reason), "%s for %.1f s: beyond the holdover budget",
				 why, bad_for);
			return go(w, WD_DEGRADED);
		}
		if (bad_for >= w->cfg.loss_s) {
			snprintf(w->reason, sizeof(w->reason), "%s for %.1f s", why, bad_for);
			return go(w, WD_HOLDOVER);
		}
		if (w->state == WD_LOCKED)
			snprintf(w->reason, sizeof(w->reason), "%s", why);
		return go(w, WD_LOSING);
	case WD_HOLDOVER:
		if (good) {
			w->recovering_from = WD_HOLDOVER;
			snprintf(w->reason, sizeof(w->reason), "GNSS back; restoring after %.1f s of it",
				 w->cfg.recover_s);
			return go(w, WD_RECOVERING);
		}
		if (bad_for >= w->cfg.loss_s + w->cfg.holdover_s) {
			snprintf(w->reason, sizeof(w->reason), "%s for %.1f s: beyond the holdover budget",
				 why, bad_for);
			return go(w, WD_DEGRADED);
		}
		return false;
	case WD_DEGRADED:
		if (good) {
			w->recovering_from = WD_DEGRADED;
			snprintf(w->reason, sizeof(w->reason), "GNSS back; restoring after %.1f s of it",
				 w->cfg.recover_s);
			return go(w, WD_RECOVERING);
		}
		return false;
	case WD_RECOVERING:
		if (!good) {
			/* a flap: back to where it came from; the loss counts from its own start, the
			 * holdover budget from the first loss is not reset by a short good spell */
			snprintf(w->reason, sizeof(w->reason), "%s again during recovery", why);
			return go(w, w->recovering_from);
		}
		if (good_for >= w->cfg.recover_s) {
			snprintf(w->reason, sizeof(w->reason), "GNSS good for %.1f s", good_for);
			return go(w, WD_LOCKED);
		}
		return false;
	}
	return false;
}

void wd_settings(const struct wd *w, const struct pmc_gm_settings *locked,
		 struct pmc_gm_settings *out)
{
	*out = *locked;
	enum wd_state s = w->state == WD_RECOVERING ? w->recovering_from : w->state;
	uint8_t trace = PMC_TIME_TRACEABLE | PMC_FREQ_TRACEABLE;
	switch (s) {
	case WD_LOCKED:
	case WD_LOSING:
		if (w->cfg.traceable_when_locked)
			out->time_flags |= trace;
		break;
	case WD_HOLDOVER:
		out->quality.clock_class = w->cfg.holdover_class;
		if (w->cfg.traceable_when_locked)
			out->time_flags |= trace;
		break;
	case WD_DEGRADED:
		out->quality.clock_class = w->cfg.degraded_class;
		out->quality.clock_accuracy = 0xFE; /* unknown (IEEE 1588-2019 table 6) */
		out->time_flags &= (uint8_t)~trace;
		break;
	case WD_RECOVERING:
		break;
	}
}
