/* `ptpcal doctor`: the guide's troubleshooting section (pi-ptp-guide.txt) as checks, each
 * finding naming the file and line (or the command) and the fix. The checks read a system
 * view (sysview.h): the live system, or a staging tree (--root) with recorded command
 * outputs (--outputs). */
#ifndef PTPCAL_DOCTOR_H
#define PTPCAL_DOCTOR_H

#include "pipeline/checks.h"
#include "pipeline/linuxptp_version.h"
#include "pipeline/sysview.h"

struct doctor_opts {
	struct sysview sv;
	const char *iface;         /* the PTP interface */
	struct lptp_version ver;   /* installed linuxptp (for option checks) */
	bool have_ver;
	int coalesce_target_us;    /* rx-usecs/tx-usecs above this is a finding (guide: 4) */
	const char *ntp_conf;      /* ntpsec's configuration (absolute, under the root) */
};

/* Two ptp4l (or phc2sys) racing for one PHC and socket. */
void doctor_processes(const struct doctor_opts *o, struct checks *cs);
/* Non-templated ptp4l.service / phc2sys.service files and references; the vendor
 * phc2sys@.service's bare ptp4l.service dependency without a full override; drop-ins that try
 * to reset dependencies. */
void doctor_units(const struct doctor_opts *o, struct checks *cs);
/* ptp4l@'s unit waits for network-online and restarts; tx_timestamp_timeout for the Pi's
 * drivers (ethtool -i). */
void doctor_boot(const struct doctor_opts *o, struct checks *cs);
/* ptp4l.conf: syntax, options the installed version refuses, clock_servo ntpshm. */
void doctor_ptp4l_conf(const struct doctor_opts *o, struct checks *cs);
/* The NIC: a PHC for hardware timestamping, receive filters for the transport, interrupt
 * coalescence. */
void doctor_nic(const struct doctor_opts *o, struct checks *cs);
/* ntpsec: leapfile configured, present and not expired; the SHM refclock (time2 is not an
 * offset; its unit matches phc2sys -M). */
void doctor_ntp(const struct doctor_opts *o, struct checks *cs);
/* dpkg -V linuxptp: package files edited in place. */
void doctor_dpkg(const struct doctor_opts *o, struct checks *cs);
/* Every check above, in the order the report lists them (the command and its fuzz target run
 * the same set). */
void doctor_all(const struct doctor_opts *o, struct checks *cs);

/* The SHM segment the phc2sys@ unit writes (-E ntpshm -M N; the full override in /etc, else
 * the vendor unit, then drop-ins' ExecStart=), -1 if it does not write SHM; unit_path gets the
 * file that said so. */
int phc2sys_shm_segment(const struct sysview *sv, char *unit_path, size_t len);

#endif
