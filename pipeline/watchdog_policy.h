/* The GNSS-loss policy of `ptpcal watchdog` (what the guide says is missing: a grandmaster
 * keeps announcing clockClass 6 after its GNSS is gone). A pure state machine: it is fed the
 * GNSS health and the time, and says what the grandmaster should announce.
 *
 *   LOCKED      GNSS good: the locked settings (clockClass 6 unless configured otherwise)
 *   LOSING      GNSS bad for less than loss_s: still LOCKED's settings (a short glitch is
 *               not a holdover)
 *   HOLDOVER    bad for loss_s: clockClass 7 ("in holdover, within specification", IEEE
 *               1588-2019 table 5), time still traceable
 *   DEGRADED    bad for loss_s + holdover_s (the holdover budget): the degraded class (52 or
 *               187, IEEE 1588 "degradation alternative A/B"; default 52), clockAccuracy
 *               0xFE (unknown), time and frequency no longer traceable
 *   RECOVERING  GNSS good again but for less than recover_s (hysteresis): stays in HOLDOVER
 *               or DEGRADED settings; a new loss returns to the state it came from
 * Returning to LOCKED restores the locked settings exactly. */
#ifndef PTPCAL_WATCHDOG_POLICY_H
#define PTPCAL_WATCHDOG_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline/pmc_wire.h"

enum wd_state { WD_LOCKED, WD_LOSING, WD_HOLDOVER, WD_DEGRADED, WD_RECOVERING };
const char *wd_state_name(enum wd_state s);

struct wd_config {
	double loss_s;      /* sustained loss before holdover (default 10) */
	double holdover_s;  /* holdover budget before degraded (default 3600) */
	double recover_s;   /* GNSS good this long before restoring (default 60) */
	uint8_t holdover_class;  /* 7 */
	uint8_t degraded_class;  /* 52 (or 187) */
	bool traceable_when_locked; /* set timeTraceable/frequencyTraceable while locked */
};
void wd_config_default(struct wd_config *c);

struct wd {
	struct wd_config cfg;
	enum wd_state state;
	enum wd_state recovering_from; /* HOLDOVER or DEGRADED while RECOVERING */
	int64_t bad_since_ns;  /* start of the current loss (valid when bad) */
	int64_t good_since_ns; /* start of the current good period */
	bool gnss_good;
	char reason[160];      /* why the last transition happened */
};

/* Start in LOCKED with GNSS assumed good at now_ns (a watchdog started during an outage
 * learns it at the first step and counts the loss from then). */
void wd_init(struct wd *w, const struct wd_config *cfg, int64_t now_ns);
/* Feed the GNSS verdict at now_ns (monotonic). Returns true when the state changed (w->reason
 * says why). */
bool wd_step(struct wd *w, bool gnss_good, const char *why_bad, int64_t now_ns);
/* The settings to announce in the current state, from the locked ones. */
void wd_settings(const struct wd *w, const struct pmc_gm_settings *locked,
		 struct pmc_gm_settings *out);

#endif
