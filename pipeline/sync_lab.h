/* One phase of `ptpcal sync --lab` with the guide's whole client chain (pipeline/sync_lab.c):
 * the lab up (real ptp4l), phc2sys reported as SKIP (no PHC), the client's PTP offset fed
 * into an NTP SHM segment as phc2sys -E ntpshm would, a real ntpd (ntpsec) taking it as its
 * refclock in the client's namespace without CAP_SYS_TIME, gpsd fed by gpsfake in the
 * grandmaster's namespace with ptpcal watchdog observing it, a measurement, optionally
 * verify, and the lab down (its dataset finished for calibrate). */
#ifndef PTPCAL_SYNC_LAB_H
#define PTPCAL_SYNC_LAB_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lab_phase {
	const char *name;       /* lab name (namespaces NAME-gm, NAME-cl1, ...) */
	const char *dir;        /* absolute dataset directory (must not exist) */
	int64_t duration_ns;    /* measurement after every stage is up */
	int64_t timeout_ns;     /* each stage */
	const char *fwd, *rev, *transport;
	const char *ptp4l_opt;  /* an extra ptp4l.conf line, or NULL */
	double time1_s;         /* ntpsec refclock fudge time1 (0: none) */
	bool ntpsec, gnss;      /* run those stages (if the tools are installed) */
	const char *nmea;       /* gpsfake's NMEA file (NULL: tests/data next to the binary) */
	bool verify;            /* run ptpcal verify client and server at the end */
	FILE *prog;
	volatile sig_atomic_t *interrupted;
};

struct lab_phase_result {
	bool ntpsec_ran;        /* ntpd took the SHM refclock as its system peer */
	double ntpd_offset_ns;  /* median of ntpq's refclock offset over the measurement (NAN) */
	int ntpd_samples;
	double ntpd_offset_sd_ns; /* their robust spread, 1.4826 x MAD (NAN) */
	int verify_client_rc, verify_server_rc; /* -1 not run */
	char ntpsec_skip[300];  /* why the stage was skipped, "" if it ran */
	char gnss_skip[300];
	int gnss_events;        /* lines the watchdog logged */
};

/* 0 done (the dataset is in dir), 1 a stage failed, 130 interrupted. The lab is always
 * brought down and every process started here stopped by its PID. */
int lab_phase_run(const struct lab_phase *p, struct lab_phase_result *r);

#endif
