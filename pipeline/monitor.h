/* The state `ptpcal monitor` keeps: the newest reading of each source of the local chain
 * (ptp4l's management datasets, an NTP SHM segment, gpsd, ntpsec through ntpq, the leap
 * file, optionally a live capture's exchanges), bounded windows of the quantities that
 * vary (monitor_series.h), the checks judged on them (monitor_checks.h), and counters.
 * monitor_sources.c and monitor_capture.c fill it, monitor_metrics.c renders it as
 * Prometheus text; neither needs the other, so the rendering is tested on a filled-in
 * struct. */
#ifndef PTPCAL_MONITOR_H
#define PTPCAL_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/findings.h"
#include "analyze/health.h"
#include "capture/exchange.h"
#include "capture/gpsd_client.h"
#include "capture/ntpshm.h"
#include "common/leapfile.h"
#include "pipeline/checks.h"
#include "pipeline/monitor_series.h"
#include "pipeline/pmc_uds.h"
#include "pipeline/verify_checks.h"

enum mon_source { MON_PTP4L, MON_SHM, MON_GPSD, MON_NTPSEC, MON_CAPTURE, MON_NSOURCES };
/* "ptp4l", "shm", "gpsd", "ntpsec", "capture" */
const char *mon_source_name(enum mon_source s);

struct mon_counters {
	bool enabled;       /* watched at all (--no-gpsd etc. turn one off) */
	bool up;            /* the last poll got an answer */
	bool ever_up;
	uint64_t polls, errors;
	uint64_t recoveries; /* down -> up after having been up: a restart survived */
	char last_error[256];
};

struct mon_ptp {
	bool have_port, have_current, have_status, have_parent, have_props, have_default;
	struct pmc_default_ds dflt; /* this clock's identity (verify's grandmaster check) */
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

/* The live capture (pipeline/monitor_capture.h): exchanges paired from the wire. */
struct mon_capture {
	char ifname[64];
	char tstamp[32];          /* libpcap's name of the timestamp type: host, adapter_unsynced */
	bool phc_time;            /* adapter_unsynced: the PHC's time (TAI on a PTP node), not UTC */
	uint64_t packets, ptp, malformed, exchanges;
	uint64_t kernel_drops, if_drops; /* pcap_stats */
	struct pair_counts pairs;
	int64_t last_exchange_mono; /* 0 before the first */
	struct mon_series offset, delay; /* ns, offset from master and mean path delay */
	/* analyze's protocol-health checks (analyze/health.h) over epochs of one window, two
	 * of them fed at once and started half a window apart; the older is judged: it spans
	 * between half a window and a window, and has the newest messages too */
	struct health *epoch[2];
	int64_t epoch_start[2];
};

/* The health checks of `verify` and `analyze` on the monitor's data (monitor_checks.h),
 * recomputed every poll; ptpcal_check_* in the exposition. */
struct mon_checks {
	struct checks cs;
	const char *ids[64];          /* the checks seen (static strings), to log changes only */
	enum check_status was[64];    /* the status last logged for each */
	size_t nids;
	int64_t run_mono;             /* when they were last judged (once a second) */
	int64_t health_judged_mono;
	struct findings health; /* the capture's health findings, judged every few seconds */
	int64_t health_span_ns;   /* the capture time they cover */
};

struct mon_ntpsec {
	bool peer_is_ptp;
	double offset_s; /* system - reference (ntpq's offset column, sign flipped), NAN */
	int status;      /* ntpq's exit status (-1 not run or did not finish) */
	bool any_peer;   /* it named a system peer (line[]) */
	char line[160];
};

/* verify's daemons check: the process list, read again every MON_DAEMONS_EVERY_NS (a full
 * /proc scan reads every process's command line: not once a second, never per scrape) */
#define MON_DAEMONS_EVERY_NS 10000000000LL
struct mon_daemons {
	bool have;               /* counted from a process list */
	char why[256];           /* why there is none (the check is skipped, as verify does) */
	struct verify_daemons d;
	int64_t read_mono;       /* when last read (0: never) */
};

/* verify's phc-tai check: the PHC (or a recording of one) read once a second. */
struct mon_phc {
	bool found;              /* a PHC to read (dev); else why: "IF has no PHC ..." */
	char dev[256];
	char why[512];
	struct clocksrc *src;    /* open (NULL: not yet, or it failed: retried every minute) */
	int64_t open_mono;       /* the last attempt to open it */
	bool have;               /* got: the newest attempt's outcome */
	enum verify_phc_read got;
	struct clk_event ev;
	int64_t read_mono;
};

struct mon_leap {
	bool loaded, warned;
	struct leapfile lf; /* while loaded */
	const char *path;
	char err[512];    /* why it is not loaded */
	bool expired;
	int64_t expires;  /* POSIX s, 0 unknown */
	int tai_utc;      /* now, -1 unknown */
};

struct monitor {
	int64_t start_mono, start_real_ns;
	double interval_s, window_s;
	bool have_truth;
	double truth_offset_ns; /* the known true offset of this clock (a lab: 0) */
	bool server;            /* --role server: the checks judge a grandmaster */
	bool free_running;      /* ptp4l runs free_running (its port never reaches SLAVE) */
	char fr_where[1100];
	struct mon_counters src[MON_NSOURCES];
	struct mon_ptp ptp;
	struct mon_shm shm;
	struct mon_gnss gnss;
	struct mon_ntpsec ntp;
	struct mon_leap leap;
	struct mon_capture cap;
	char iface[64];         /* the PTP interface (remedies of the daemons check) */
	bool watch_daemons;     /* judge verify's daemons and phc-tai checks */
	struct mon_daemons daemons;
	struct mon_phc phc;
	struct mon_checks checks;
	uint64_t scrapes, http_errors;
	double *scratch; /* window-sized, for the statistics */
};

/* Windows of window_s at interval_s (the ring holds twice the expected samples, at least 16,
 * at most 1 << 20). */
void monitor_init(struct monitor *m, double interval_s, double window_s, int shm_unit);
void monitor_free(struct monitor *m);
/* The capture's windows, when --capture is given (sized for up to 16 exchanges a second). */
void monitor_init_capture(struct monitor *m);

/* Record one poll's outcome for a source (err NULL or "" = answered). */
void monitor_mark(struct monitor *m, enum mon_source s, bool ok, const char *err);

#endif
