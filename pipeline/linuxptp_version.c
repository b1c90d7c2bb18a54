#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pipeline/linuxptp_version.h"
#include "pipeline/run_cmd.h"

bool lptp_version_parse(const char *s, struct lptp_version *v)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	if (*s == 'v' || *s == 'V')
		s++;
	int n[3] = { 0, 0, 0 }, k = 0;
	while (k < 3) {
		if (!isdigit((unsigned char)*s))
			return false;
		long x = 0;
		while (isdigit((unsigned char)*s)) {
			x = x * 10 + (*s - '0');
			if (x > 1000)
				return false;
			s++;
		}
		n[k++] = (int)x;
		if (*s != '.')
			break;
		s++;
	}
	/* what may follow: end, blanks, or a suffix such as "-rc1" / "+git" / "-1" */
	if (*s && !isspace((unsigned char)*s) && *s != '-' && *s != '+' && *s != '~')
		return false;
	if (k < 2 && n[0] < 1)
		return false;
	v->major = n[0];
	v->minor = n[1];
	v->patch = n[2];
	return true;
}

bool lptp_version_detect(const char *ptp4l, struct lptp_version *v, char *err, size_t errlen)
{
	const char *prog = ptp4l ? ptp4l : "ptp4l";
	char *out = NULL;
	const char *argv[] = { prog, "-v", NULL };
	int status = run_capture(argv, &out, 5000);
	if (status < 0) {
		snprintf(err, errlen, "%s -v: cannot run it (is linuxptp installed? else give --linuxptp-version)", prog);
		free(out);
		return false;
	}
	char *nl = out ? strchr(out, '\n') : NULL;
	if (nl)
		*nl = '\0';
	bool ok = out && status == 0 && lptp_version_parse(out, v);
	if (!ok)
		snprintf(err, errlen, "%s -v: unexpected output '%.40s' (exit %d); give --linuxptp-version",
			 prog, out ? out : "", status);
	free(out);
	return ok;
}

const char *lptp_version_str(const struct lptp_version *v, char *buf, size_t len)
{
	snprintf(buf, len, "%d.%d.%d", v->major, v->minor, v->patch);
	return buf;
}

bool lptp_at_least(const struct lptp_version *v, int major, int minor)
{
	return v->major > major || (v->major == major && v->minor >= minor);
}

/* linuxptp config.c: v3.1.1 has GLOB_ITEM_INT("slaveOnly") and no clientOnly; v4.0 adds
 * GLOB_ITEM_INT("clientOnly") and check_deprecated_options() maps slaveOnly -> clientOnly
 * (same in v4.4). */
const char *lptp_client_only_option(const struct lptp_version *v)
{
	return lptp_at_least(v, 4, 0) ? "clientOnly" : "slaveOnly";
}

const char *lptp_client_only_other(const struct lptp_version *v)
{
	return lptp_at_least(v, 4, 0) ? "slaveOnly" : "clientOnly";
}

/* linuxptp config.c: GLOB_ITEM_INT("ptp_minor_version", 1, 0, 1) first at v4.2 (absent in
 * v4.1 and v3.1.1). */
bool lptp_has_ptp_minor_version(const struct lptp_version *v)
{
	return lptp_at_least(v, 4, 2);
}

/* linuxptp config.c: GLOB_ITEM_STR("uds_ro_address", "/var/run/ptp4lro") first at v4.0. */
bool lptp_has_uds_ro(const struct lptp_version *v)
{
	return lptp_at_least(v, 4, 0);
}
