/* The health checks `ptpcal verify` and `ptpcal analyze` run, judged on the monitor's live
 * data every poll by the same functions (pipeline/verify_checks.h, analyze/health.h), each
 * exported as its own series (ptpcal_check_ok{check, from}) and logged when its status
 * changes. A check without the data it needs (its source off or not yet read) is absent,
 * not passed.
 *
 * verify's: utc-offset, grandmaster, shm, ntpsec-peer, and (unless --no-daemons) daemons,
 * from a process list read every 10 s, and phc-tai, from a PHC reading a second.
 * analyze's: the 37-second test on each offset the monitor follows (ptp-, shm-,
 * capture-offset-tai-utc: the window median within 1 s of TAI - UTC), and with --capture
 * its protocol-health findings on the captured messages, grouped into capture-utc-offset,
 * capture-timescale, capture-message-rates, capture-loss, capture-duplicates,
 * capture-clock-class, capture-grandmaster. */
#ifndef PTPCAL_MONITOR_CHECKS_H
#define PTPCAL_MONITOR_CHECKS_H

#include <stdint.h>

#include "pipeline/monitor.h"

/* Judge them all into m->checks, at most once a second (the capture's health findings at
 * most every 5 s). */
void monitor_checks_run(struct monitor *m, int64_t now_mono, int64_t now_real_s);
/* "verify" or "analyze": where a check's rule comes from. */
const char *monitor_check_origin(const char *id);

#endif
