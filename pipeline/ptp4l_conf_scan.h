/* A ptp4l.conf read for diagnosis: every setting with its section and line number, as
 * linuxptp config.c config_read() sees them (comments start with '#' as the first non-blank
 * character; "[name]" starts a section; the last occurrence of an option wins). */
#ifndef PTPCAL_PTP4L_CONF_SCAN_H
#define PTPCAL_PTP4L_CONF_SCAN_H

#include <stdbool.h>

struct ptp4l_line {
	int line;
	char section[64]; /* "" before any section */
	char option[64];
	char value[192];  /* "" when the line has no value */
	bool bad_section; /* a '[' line that is not a section header */
};

struct ptp4l_scan {
	struct ptp4l_line *v;
	int n;
};

void ptp4l_scan_text(const char *text, struct ptp4l_scan *out);
void ptp4l_scan_free(struct ptp4l_scan *s);
/* The last setting of option in section ("global" or a port), or NULL. */
const struct ptp4l_line *ptp4l_scan_get(const struct ptp4l_scan *s, const char *section,
					const char *option);

#endif
