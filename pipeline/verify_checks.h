/* The judgements of `ptpcal verify`'s checks on data already read, shared by `verify` (which
 * reads it once, from the management socket, the SHM segment and ntpq) and `ptpcal monitor`
 * (which reads it every poll): the same rule, the same words, whoever collected the data. */
#ifndef PTPCAL_VERIFY_CHECKS_H
#define PTPCAL_VERIFY_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/clocksrc.h"
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

/* daemons: the chain's processes in our network namespace, counted from a process list
 * (sysview.h: /proc, or a recorded ps.txt), so that verify (once) and the monitor (every few
 * seconds) judge the same counts: exactly one ptp4l and one phc2sys, phc2sys in the role's
 * direction. */
struct verify_daemons {
	int nptp4l, nphc2sys;
	int phc2sys_pid;          /* the last phc2sys listed (0: none) */
	char phc2sys_args[1024];  /* its command line (truncated) */
};
void verify_count_daemons(const struct proc_entry *p, int n, struct verify_daemons *d);
void verify_judge_daemons(struct check *c, const struct verify_daemons *d, const char *iface,
			  bool server);

/* phc-tai: the PHC to read. given: --phc (a /dev/ptpN, an interface, or a `phc` recording),
 * else IFACE's PHC from ethtool -T (run, or recorded in sv's outputs). False (why set: the
 * check is skipped, as verify skips it) when there is none: software time stamps, nothing
 * holds TAI. */
bool verify_find_phc(const struct sysview *sv, const char *iface, const char *given, char *dev,
		     size_t devlen, char *why, size_t whylen);
/* The device read as linuxptp's sysoff does (best bracket of 9), or the recording replayed;
 * NULL after printing one line. */
struct clocksrc *verify_open_phc(const char *dev);
/* One PHC reading against TAI - UTC (tai < 0: unknown, leap_err says why, skipped).
 * got: VERIFY_PHC_READ_OK with ev, or why there is none. */
enum verify_phc_read { VERIFY_PHC_READ_OK, VERIFY_PHC_NO_DEVICE, VERIFY_PHC_NO_READING };
void verify_judge_phc_tai(struct check *c, const char *dev, enum verify_phc_read got,
			  const struct clk_event *ev, int tai, const char *leap_err, bool server);

/* Is ptp4l free_running? From `--free_running 1` / `--free_running=1` on the running ptp4l's
 * command line (linuxptp config.c: every option is also a long option), else its
 * configuration: conf if given, else the running ptp4l's -f, else ptp4l@IFACE.service's.
 * *where receives where it was found. False only when a given conf cannot be read
 * (printed). */
bool verify_find_free_running(const struct sysview *sv, const char *iface, const char *conf,
			      bool *fr, char *where, size_t wlen);

#endif
