/* The judgements of `ptpcal verify`'s checks on data already read, shared by `verify` (which
 * reads it once, from the management socket, the SHM segment and ntpq) and `ptpcal monitor`
 * (which reads it every poll): the same rule, the same words, whoever collected the data. */
#ifndef PTPCAL_VERIFY_CHECKS_H
#define PTPCAL_VERIFY_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/checks.h"
#include "pipeline/pmc_wire.h"
#include "pipeline/sysview.h"

/* utc-offset: TIME_PROPERTIES_DATA_SET against leap-seconds.list. tai: TAI - UTC now, or < 0
 * when the file was unusable (leap_err says why: the check is skipped); expired: the file
 * has expired. */
void verify_judge_utc_offset(struct check *c, const struct pmc_time_props *tp, int tai,
			     bool expired, const char *leapfile, const char *leap_err, bool server);

/* grandmaster: the server is its own clockClass 6 grandmaster; a client has a port in SLAVE
 * state under a clockClass 6 grandmaster (skipped when ptp4l runs free_running, whose port
 * never reaches SLAVE). */
struct verify_gm {
	bool server;
	const struct pmc_parent_ds *parent;
	const struct pmc_default_ds *dflt; /* NULL when not known */
	const struct pmc_port_ds *ports;   /* the PORT_DATA_SET answers */
	int nports;
	bool free_running;
	const char *fr_where;              /* where free_running was found */
};
void verify_judge_grandmaster(struct check *c, const struct verify_gm *g);

/* shm: nvalid valid samples seen on the unit (last_status the status of an invalid look),
 * ticked (two different samples within 4.5 s), off_ns system - reference of the newest. */
void verify_judge_shm(struct check *c, int unit, int nvalid, int last_status, bool ticked,
		      int64_t off_ns);

/* ntpsec-peer: ntpq -pn's exit status, whether it named a system peer (peer: its line) and
 * whether that is the PTP refclock. */
void verify_judge_ntpsec_peer(struct check *c, int status, bool any, bool ours, const char *peer);

/* Is ptp4l free_running? From `--free_running 1` / `--free_running=1` on the running ptp4l's
 * command line (linuxptp config.c: every option is also a long option), else its
 * configuration: conf if given, else the running ptp4l's -f, else ptp4l@IFACE.service's.
 * *where receives where it was found. False only when a given conf cannot be read
 * (printed). */
bool verify_find_free_running(const struct sysview *sv, const char *iface, const char *conf,
			      bool *fr, char *where, size_t wlen);

#endif
