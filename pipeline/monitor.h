/* The state `ptpcal monitor` keeps: the newest reading of each source of the local chain
 * (ptp4l's management datasets, an NTP SHM segment, gpsd, ntpsec through ntpq, the leap
 * file), bounded windows of the quantities that vary (monitor_series.h), and counters.
 * monitor_sources.c fills it, monitor_metrics.c renders it as Prometheus text; neither
 * needs the other, so the rendering is tested on a filled-in struct. */
#ifndef PTPCAL_MONITOR_H
#define PTPCAL_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/gpsd_client.h"
#include "capture/ntpshm.h"
#include "pipeline/monitor_series.h"
#include "pipeline/pmc_uds.h"

enum mon_source { MON_PTP4L, MON_SHM, MON_GPSD, MON_NTPSEC, MON_NSOURCES };
const char *mon_source_name(enum mon_source s); /* "ptp4l", "shm", "gpsd", "ntpsec" */

struct mon_counters {
	bool enabled;       /* watched at all (--no-gpsd etc. turn one off) */
	bool up;            /* the last poll got an answer */
	bool ever_up;
	uint64_t polls, errors;
	uint64_t recoveries; /* down -> up after having been up: a restart survived */
	char last_error[256];
};

struct mon_ptp {
	bool have_port, have_current, have_status, have_parent, have_props;
	struct pmc_port_ds port;
	struct pmc_current_ds current;
	struct pmc_time_status status;
	struct pmc_parent_ds parent;
	struct pmc_time_props props;
	int64_t last_ingress_ns; /* TIME_STATUS_NP ingress_time of the last sample taken */
	uint64_t gm_changes, class_changes;
	struct mon_series offset, delay; /* ns */
};

struct mon_shm {
	int unit;
	bool have_sample;
	struct ntpshm_sample last;
	int last_count;
	int64_t last_change_mono; /* when count last changed */
	struct mon_series offset; /* system - reference, ns */
};

struct mon_gnss {
	struct gnss_state state;
	bool have_pps;
	int64_t pps_offset_ns; /* clock - real of the newest PPS */
};

struct mon_ntpsec {
	bool peer_is_ptp;
	double offset_s; /* system - reference (ntpq's offset column, sign flipped), NAN */
};

struct mon_leap {
	bool loaded, warned;
	int64_t expires;  /* POSIX s, 0 unknown */
	int tai_utc;      /* now, -1 unknown */
};

struct monitor {
	int64_t start_mono, start_real_ns;
	double interval_s, window_s;
	bool have_truth;
	double truth_offset_ns; /* the known true offset of this clock (a lab: 0) */
	struct mon_counters src[MON_NSOURCES];
	struct mon_ptp ptp;
	struct mon_shm shm;
	struct mon_gnss gnss;
	struct mon_ntpsec ntp;
	struct mon_leap leap;
	uint64_t scrapes, http_errors;
	double *scratch; /* window-sized, for the statistics */
};

/* Windows of window_s at interval_s (the ring holds twice the expected samples, at least 16,
 * at most 1 << 20). */
void monitor_init(struct monitor *m, double interval_s, double window_s, int shm_unit);
void monitor_free(struct monitor *m);

/* Record one poll's outcome for a source (err NULL or "" = answered). */
void monitor_mark(struct monitor *m, enum mon_source s, bool ok, const char *err);

#endif
