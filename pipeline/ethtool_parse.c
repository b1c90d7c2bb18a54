#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pipeline/ethtool_parse.h"

/* "ptpv2-l2-event", "PTP_V2_L2_EVENT", "HWTSTAMP_FILTER_PTP_V2_L2_EVENT" -> "ptpv2l2event" */
static void normalise(const char *s, size_t n, char *out, size_t outlen)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '-' || c == '_')
			continue;
		out[k++] = (char)tolower(c);
	}
	out[k] = '\0';
	if (strncmp(out, "hwtstampfilter", 14) == 0)
		memmove(out, out + 14, strlen(out + 14) + 1);
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void add_filter(struct ethtool_ts *o, const char *word, size_t n)
{
	if (o->nfilters >= ETHTOOL_MAX_FILTERS || n == 0)
		return;
	normalise(word, n, o->filters[o->nfilters], sizeof(o->filters[0]));
	if (o->filters[o->nfilters][0] && strcmp(o->filters[o->nfilters], "none") != 0)
		o->nfilters++;
}

void ethtool_parse_ts(const char *text, struct ethtool_ts *o)
{
	memset(o, 0, sizeof(*o));
	o->phc_index = -1;
	enum { NONE, TX, RX, OTHER } sect = NONE;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(len < 511 ? len : 511), p);
		p += len + (nl ? 1 : 0);
		bool indented = line[0] == ' ' || line[0] == '\t';
		const char *s = skip_ws(line);
		if (!*s)
			continue;
		if (!indented) {
			sect = OTHER;
			const char *colon = strchr(s, ':');
			const char *val = colon ? skip_ws(colon + 1) : "";
			if (strncmp(s, "Time stamping parameters", 24) == 0) {
				o->parsed = true;
			} else if (strncmp(s, "PTP Hardware Clock:", 19) == 0) {
				o->parsed = true;
				char *end;
				long v = strtol(val, &end, 10);
				o->phc_index = (end != val && v >= 0 && v < 1000000) ? (int)v : -1;
			} else if (strncmp(s, "Hardware Transmit Timestamp Modes:", 34) == 0) {
				sect = TX;
				if (*val && strncasecmp(val, "none", 4) != 0 && strncasecmp(val, "off", 3) != 0)
					o->hw_tx = true;
			} else if (strncmp(s, "Hardware Receive Filter Modes:", 30) == 0) {
				sect = RX;
				if (*val) {
					size_t n = strcspn(val, " \t(");
					add_filter(o, val, n);
				}
			}
			continue;
		}
		size_t n = strcspn(s, " \t(");
		if (sect == TX) {
			char w[32];
			normalise(s, n, w, sizeof(w));
			if (w[0] && strcmp(w, "off") != 0 && strcmp(w, "none") != 0)
				o->hw_tx = true;
		} else if (sect == RX) {
			add_filter(o, s, n);
		}
	}
}

void ethtool_parse_coalesce(const char *text, struct ethtool_coalesce *o)
{
	memset(o, 0, sizeof(*o));
	o->rx_usecs = o->tx_usecs = -1;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[256];
		snprintf(line, sizeof(line), "%.*s", (int)(len < 255 ? len : 255), p);
		p += len + (nl ? 1 : 0);
		int *dst = NULL;
		const char *v = NULL;
		if (strncmp(line, "Coalesce parameters", 19) == 0)
			o->parsed = true;
		if (strncmp(line, "rx-usecs:", 9) == 0) {
			dst = &o->rx_usecs;
			v = line + 9;
		} else if (strncmp(line, "tx-usecs:", 9) == 0) {
			dst = &o->tx_usecs;
			v = line + 9;
		}
		if (!dst)
			continue;
		o->parsed = true;
		char *end;
		v = skip_ws(v);
		long x = strtol(v, &end, 10);
		if (end != v && x >= 0 && x <= 1000000000)
			*dst = (int)x;
	}
}

bool ethtool_filters_fit(const struct ethtool_ts *ts, const char *transport)
{
	const char *specific = strcmp(transport, "L2") == 0 ? "ptpv2l2event" : "ptpv2l4event";
	for (int i = 0; i < ts->nfilters; i++)
		if (strcmp(ts->filters[i], "all") == 0 || strcmp(ts->filters[i], "ptpv2event") == 0 ||
		    strcmp(ts->filters[i], specific) == 0)
			return true;
	return false;
}
