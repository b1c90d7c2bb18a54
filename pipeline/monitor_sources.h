/* How `ptpcal monitor` reads each source into struct monitor (monitor.h), one poll each.
 * Every reader survives its daemon going away and coming back: a failed poll marks the
 * source down (logged once per outage by the caller) and the next poll tries again. */
#ifndef PTPCAL_MONITOR_SOURCES_H
#define PTPCAL_MONITOR_SOURCES_H

#include "pipeline/monitor.h"

struct mon_ptp_link {
	const char *uds;
	int timeout_ms;
	bool open;
	struct pmc_uds u;
};

/* ptp4l: PORT_DATA_SET, CURRENT_DATA_SET, TIME_STATUS_NP (a new offset sample when its
 * ingress time moved), PARENT_DATA_SET, TIME_PROPERTIES_DATA_SET. */
void mon_poll_ptp(struct monitor *m, struct mon_ptp_link *l, int64_t now_mono);
void mon_ptp_link_close(struct mon_ptp_link *l);

/* The SHM segment of m->shm.unit, read as ntpshmmon does (never consuming the sample). */
struct mon_shm_link {
	bool attached;
	int64_t attach_mono;
	struct ntpshm_seg seg;
};
void mon_poll_shm(struct monitor *m, struct mon_shm_link *l, int64_t now_mono);
void mon_shm_link_close(struct mon_shm_link *l);

/* A gpsd event (the callback of gpsd_client_poll, ctx = struct monitor). */
void mon_gnss_event(void *ctx, const struct gnss_event *ev);
/* After a gpsd_client_poll: the connection state and the health timeouts. */
void mon_gnss_tick(struct monitor *m, bool connected, const char *err, int64_t now_mono);

/* ntpsec: `ntpq -pn` (its system peer and offset). */
void mon_poll_ntpsec(struct monitor *m, int shm_unit);

/* verify's daemons check: the process list of sv counted again when MON_DAEMONS_EVERY_NS
 * has passed since the last read. */
void mon_poll_daemons(struct monitor *m, const struct sysview *sv, int64_t now_mono);
/* verify's phc-tai check: which PHC (verify_find_phc: given, else IFACE's from ethtool -T),
 * once at start (closing and forgetting an earlier one). */
void mon_find_phc(struct monitor *m, const struct sysview *sv, const char *iface,
		  const char *given);
/* One reading of the PHC when a second has passed since the last (opened on first use and
 * again every minute after a failure). */
void mon_poll_phc(struct monitor *m, int64_t now_mono);

/* The leap file: expiry and TAI - UTC now. */
void mon_load_leap(struct monitor *m, const char *path, int64_t now_real_s);

#endif
