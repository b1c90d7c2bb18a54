/* ptpcal sync --server | --client: the guide's chain on a real host, brought up in order
 * through systemd (only with --apply; otherwise the plan is printed), each stage waited for,
 * then capture -> analyze -> calibrate -> (apply) -> verify. */
#ifndef PTPCAL_SYNC_HOST_H
#define PTPCAL_SYNC_HOST_H
#include <stdbool.h>
#include <stdint.h>

struct sync_host_opts {
	bool server;               /* else client */
	const char *iface;         /* default eth0 */
	const char *root;          /* where unit files and ptp4l.conf are read (NULL = /) */
	const char *linuxptp;      /* --linuxptp-version, else `ptp4l -v` */
	const char *uds;           /* ptp4l's management socket (NULL: from ptp4l.conf) */
	int shm_unit;              /* client SHM unit (default 2) */
	bool apply;                /* run systemctl; else print the plan */
	bool apply_correction;     /* calibrate --apply, restart, measure again */
	int64_t stage_timeout_ns;  /* per stage */
	const char *duration;      /* capture duration */
	const char *dir;           /* output directory */
	const char *truth, *known_offset, *baseline, *layer;
	bool force;                /* calibrate --force */
	bool json;
};

int sync_host(const struct sync_host_opts *o);

/* One `ntpq -pn` peer line, after its tally character: is it the PTP refclock on SHM unit
 * `unit`? Its remote is SHM(unit), or 127.127.28.unit when ntpq lacked the peer's srchost
 * variable (ntpsec pylib/util.py PeerSummary.summary: clock_name = srcadr), or its refid is
 * .PTP. (any unit). */
bool ntpq_peer_is_ptp_refclock(const char *peer, int unit);

/* `ntpq -pn` output (ntpsec): is the system peer (the line tagged '*') the SHM refclock of
 * unit (ntpq_peer_is_ptp_refclock; any system peer when unit < 0)? line receives
 * the system peer's line (or why there is none), *off_ms its offset column (ms; NAN when the
 * line does not have the ten columns). */
bool ntpq_system_peer(const char *text, int unit, double *off_ms, char *line, size_t len);

#endif
