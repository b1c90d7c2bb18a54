#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "pipeline/pmc_client.h"
#include "pipeline/watchdog_run.h"

void wd_actuator_init(struct wd_actuator *a, const char *uds, FILE *log, bool json)
{
	memset(a, 0, sizeof(*a));
	a->uds = uds;
	a->timeout_ms = 1000;
	a->recheck_s = 5;
	a->locked_class = 6;
	a->tai_utc = -1;
	a->log = log;
	a->json = json;
	a->last_check_ns = INT64_MIN / 2;
}

void wd_log(struct wd_actuator *a, const char *event, const char *fmt, ...)
{
	char msg[1024], stamp[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm tm;
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (a->json) {
		struct json j;
		json_init(&j, a->log, false);
		json_obj_begin(&j, NULL);
		json_str(&j, "time", stamp);
		json_str(&j, "event", event);
		json_str(&j, "detail", msg);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		fprintf(a->log, "%s %-10s %s\n", stamp, event, msg);
	}
	fflush(a->log);
}

static bool same(const struct pmc_gm_settings *x, const struct pmc_gm_settings *y)
{
	uint8_t a[8], b[8];
	pmc_put_gm_settings(x, a, 8);
	pmc_put_gm_settings(y, b, 8);
	return memcmp(a, b, 8) == 0;
}

static void describe(const struct pmc_gm_settings *s, char *buf, size_t len)
{
	snprintf(buf, len,
		 "clockClass %u clockAccuracy 0x%02x currentUtcOffset %d valid %d ptpTimescale %d "
		 "timeTraceable %d frequencyTraceable %d",
		 s->quality.clock_class, s->quality.clock_accuracy, s->utc_offset,
		 !!(s->time_flags & PMC_UTC_OFF_VALID), !!(s->time_flags & PMC_PTP_TIMESCALE),
		 !!(s->time_flags & PMC_TIME_TRACEABLE), !!(s->time_flags & PMC_FREQ_TRACEABLE));
}

bool wd_actuate(struct wd_actuator *a, const struct wd *w, bool state_changed, int64_t now_ns)
{
	if (!state_changed && (double)(now_ns - a->last_check_ns) / 1e9 < a->recheck_s)
		return true;
	a->last_check_ns = now_ns;
	struct pmc_uds u;
	char err[512], d[256];
	if (pmc_uds_open(&u, a->uds, 0, err, sizeof(err)) != 0) {
		if (!a->ptp4l_down)
			wd_log(a, "PTP4L-DOWN", "%s", err);
		a->ptp4l_down = true;
		return false;
	}
	struct pmc_gm_settings cur;
	enum pmc_result r = pmc_get_gm(&u, &cur, a->timeout_ms, err, sizeof(err));
	if (r != PMC_OK) {
		if (!a->ptp4l_down)
			wd_log(a, "PTP4L-DOWN", "%s", err);
		a->ptp4l_down = true;
		pmc_uds_close(&u);
		return false;
	}
	if (a->ptp4l_down) {
		describe(&cur, d, sizeof(d));
		wd_log(a, "PTP4L-UP", "%s answers again: %s", a->uds, d);
	}
	a->ptp4l_down = false;
	/* the first contact only learns what ptp4l announces: bringing it to the wanted
	 * settings then is the initial SET, not a re-application after a restart */
	bool first = !a->have_locked;
	if (!a->have_locked) {
		/* the locked settings: what ptp4l announces from its configuration, with the
		 * locked class (a watchdog restarted while ptp4l was demoted must not take 7 as
		 * the locked class) */
		a->locked = cur;
		a->locked.quality.clock_class = a->locked_class;
		if (w->cfg.traceable_when_locked && a->tai_utc >= 0 && cur.utc_offset == a->tai_utc &&
		    (cur.time_flags & PMC_PTP_TIMESCALE))
			a->locked.time_flags |= PMC_UTC_OFF_VALID;
		a->have_locked = true;
		describe(&cur, d, sizeof(d));
		wd_log(a, "START", "%s announces %s", a->uds, d);
	}
	struct pmc_gm_settings want;
	wd_settings(w, &a->locked, &want);
	bool ok = true;
	if (!same(&cur, &want)) {
		struct pmc_gm_settings got;
		r = pmc_set_gm(&u, &want, &got, a->timeout_ms, err, sizeof(err));
		describe(&want, d, sizeof(d));
		if (r != PMC_OK || !same(&got, &want)) {
			wd_log(a, "SET-FAILED", "%s (%s)", d, r != PMC_OK ? err : "ptp4l answered other values");
			ok = false;
		} else {
			a->sets++;
			bool re = !state_changed && !first;
			wd_log(a, re ? "REAPPLIED" : "SET", "%s%s", d,
			       re ? " (ptp4l had other settings: restarted?)" : "");
			cur = got;
		}
	}
	a->applied = cur;
	a->applied_valid = true;
	pmc_uds_close(&u);
	return ok;
}
