/* What `ptpcal setup` writes: the guide's (pi-ptp-guide.txt) files for a PTP grandmaster
 * fed by ntpsec ("server") or a PTP client feeding ntpsec through SHM ("client"), spelled for
 * the installed linuxptp and corrected where the guide is wrong (docs/errata.md).
 *
 * Edits of existing files keep the user's other lines (common/conf_edit.h): ptp4l.conf
 * options are set in [global], ntp.conf directives replaced or appended, systemd drop-in
 * lines added to their section. The phc2sys@.service override and the coalescence unit are
 * whole files ptpcal owns (the guide's "replace the entire content"). */
#ifndef PTPCAL_SETUP_GEN_H
#define PTPCAL_SETUP_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/conf_edit.h"
#include "pipeline/linuxptp_version.h"

enum setup_role { SETUP_SERVER, SETUP_CLIENT };

struct setup_params {
	enum setup_role role;
	const char *iface;         /* "eth0" */
	struct lptp_version ver;   /* the linuxptp the files are for */
	const char *transport;     /* "L2" (guide), "UDPv4", "UDPv6" */
	const char *time_stamping; /* "hardware" (guide) or "software" (no PHC) */
	int shm_unit;              /* client: SHM segment / ntpsec unit (guide: 2) */
	int coalesce_usecs;        /* rx-usecs / tx-usecs (guide: 4) */
	const char *leapfile;      /* server: ntpsec leapfile path */
	bool have_time1;           /* client: set the refclock's time1 (s) */
	char time1[32];            /* its text, as given (seconds) */
	const char *monitor_listen; /* --monitor HOST:PORT: also write ptpcal-monitor.service */
	const char *ptpcal_exe;    /* the ptpcal its ExecStart runs (absolute) */
};

/* Human-readable notes gathered while generating (what was changed and why). */
struct notes {
	char **v;
	size_t n;
};
void notes_add(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notes_free(struct notes *n);

/* A ptp4l option and the value the guide gives it, for this role and version. */
struct ptp4l_setting {
	const char *option;
	char value[32];
};
/* The settings, in the guide's order; returns the count (at most max). */
size_t setup_ptp4l_settings(const struct setup_params *p, struct ptp4l_setting *out, size_t max);

/* Edit a loaded ptp4l.conf: set every setting in [global], remove the options this version
 * refuses or that would override ours. True if the text changed. */
bool setup_edit_ptp4l(struct conf_file *cf, const struct setup_params *p, struct notes *notes);
/* Edit a loaded ntp.conf (ntpsec): the leapfile (server) or the SHM refclock (client). */
bool setup_edit_ntpconf(struct conf_file *cf, const struct setup_params *p, struct notes *notes);
/* Edit (or create) the ptp4l@IFACE drop-in: ensure its lines. */
bool setup_edit_ptp4l_dropin(struct conf_file *cf, const struct setup_params *p);

/* Whole files (malloc'd text). */
char *setup_phc2sys_unit(const struct setup_params *p);
char *setup_coalescence_unit(const struct setup_params *p);
/* ptpcal-monitor.service: `ptpcal monitor --listen` for this role (the server watches gpsd,
 * the client its SHM unit), as root's uid but with no capability and a read-only system. */
char *setup_monitor_unit(const struct setup_params *p);
#define SETUP_MONITOR_UNIT "ptpcal-monitor.service"
/* The coalescence unit's name, "IFACE-coalescence.service". */
const char *setup_coalescence_name(const struct setup_params *p, char *buf, size_t len);

/* systemd unit files: make sure `key=value` is in [section]. For list-valued keys
 * (After=, Wants=, Requires=...) the value is added as a word if no line of that key in the
 * section has it; for single-valued keys (Restart=, RestartSec=) an existing line is
 * replaced. True if the text changed. */
bool unit_ensure(struct conf_file *cf, const char *section, const char *key, const char *value,
		 bool list);

#endif
