/* Which linuxptp is installed, and what that version's ptp4l accepts.
 *
 * The version comes from `ptp4l -v` (ptp4l.c version_show: the bare version string, e.g.
 * "3.1.1" or "4.4") or from the user (--linuxptp-version). The feature predicates below
 * encode when an option first appeared in linuxptp's config.c option table (config_tab),
 * each checked at the tags named next to it in linuxptp_version.c. */
#ifndef PTPCAL_LINUXPTP_VERSION_H
#define PTPCAL_LINUXPTP_VERSION_H

#include <stdbool.h>
#include <stddef.h>

struct lptp_version {
	int major, minor, patch;
};

/* "3.1.1", "4.4", "4.0-rc1", "v3.1.1" (a leading 'v' and any suffix after the numbers are
 * accepted). False on anything else. */
bool lptp_version_parse(const char *s, struct lptp_version *v);
/* Runs `PTP4L -v` (PTP4L: the program, found in PATH; NULL means "ptp4l") and parses its
 * first line. False with a one-line reason in err. */
bool lptp_version_detect(const char *ptp4l, struct lptp_version *v, char *err, size_t errlen);
/* "3.1.1" into buf. */
const char *lptp_version_str(const struct lptp_version *v, char *buf, size_t len);
/* a >= major.minor */
bool lptp_at_least(const struct lptp_version *v, int major, int minor);

/* The option that makes a port client-only: "clientOnly" from 4.0, "slaveOnly" before. */
const char *lptp_client_only_option(const struct lptp_version *v);
/* The other spelling, which this version must not see (3.x: unknown option; 4.x: a
 * deprecated alias whose later line would silently override the new name). */
const char *lptp_client_only_other(const struct lptp_version *v);
bool lptp_has_ptp_minor_version(const struct lptp_version *v);
/* uds_ro_address (the read-only management socket) */
bool lptp_has_uds_ro(const struct lptp_version *v);

#endif
