/* The actuator of `ptpcal watchdog`: keeps the grandmaster's announced settings equal to what
 * the policy (watchdog_policy.h) wants, through SET GRANDMASTER_SETTINGS_NP on ptp4l's
 * read-write management socket (linuxptp clock.c clock_management_set: clockQuality,
 * utc_offset, time_flags, time_source; the same 8-byte layout in v3.1.1 and v4.4).
 *
 * It survives ptp4l restarts: a restarted ptp4l announces its configuration again (class 6),
 * so every `recheck_s` the settings are read back and re-applied if they differ; while ptp4l
 * does not answer, that is logged once and retried. The locked settings are those ptp4l
 * announced when the watchdog started (or, if it was started while demoted, the class given
 * as the locked class). Bringing ptp4l to the wanted settings at the first contact is logged
 * as SET (not REAPPLIED, which means a later contact found other settings: a restart).
 * Transitions are logged as one line each (text or JSON lines). */
#ifndef PTPCAL_WATCHDOG_RUN_H
#define PTPCAL_WATCHDOG_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline/pmc_uds.h"
#include "pipeline/watchdog_policy.h"

struct wd_actuator {
	const char *uds;
	int timeout_ms;
	double recheck_s;
	uint8_t locked_class;   /* what LOCKED announces (6) */
	int tai_utc;            /* from the leap file, -1 unknown: UTC_OFF_VALID only if it matches */
	bool have_locked;
	struct pmc_gm_settings locked; /* LOCKED's settings */
	bool applied_valid;
	struct pmc_gm_settings applied; /* what we last saw/set */
	int64_t last_check_ns;
	bool ptp4l_down;        /* logged once per outage */
	FILE *log;
	bool json;
	unsigned sets;          /* SETs done */
};

void wd_actuator_init(struct wd_actuator *a, const char *uds, FILE *log, bool json);
/* Log one line: "2026-11-26T21:00:00Z EVENT detail" or a JSON object. */
void wd_log(struct wd_actuator *a, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Bring ptp4l in line with w's state at now_ns (monotonic): on a state change, or every
 * recheck_s. Returns true if ptp4l holds the wanted settings afterwards. */
bool wd_actuate(struct wd_actuator *a, const struct wd *w, bool state_changed, int64_t now_ns);

#endif
