/* The text `ethtool -T IF` and `ethtool -c IF` print (ethtool 6.1 netlink output and the
 * older ioctl output, e.g. "ptpv2-l2-event (HWTSTAMP_FILTER_PTP_V2_L2_EVENT)"), and which
 * hardware receive filters ptp4l can use for a transport (linuxptp sk.c sk_timestamping_init
 * v3.1.1..v4.4: it asks for HWTSTAMP_FILTER_PTP_V2_EVENT, then PTP_V2_L4_EVENT for UDP or
 * PTP_V2_L2_EVENT for L2, and accepts HWTSTAMP_FILTER_ALL). */
#ifndef PTPCAL_ETHTOOL_PARSE_H
#define PTPCAL_ETHTOOL_PARSE_H

#include <stdbool.h>

#define ETHTOOL_MAX_FILTERS 24

struct ethtool_ts {
	bool parsed;           /* the output looked like ethtool -T */
	int phc_index;         /* -1: "PTP Hardware Clock: none" */
	bool hw_tx;            /* a hardware transmit mode other than off/none */
	int nfilters;
	char filters[ETHTOOL_MAX_FILTERS][32]; /* normalised: "ptpv2l2event", "all", ... */
};

struct ethtool_coalesce {
	bool parsed;
	int rx_usecs, tx_usecs; /* -1 when absent or n/a */
};

void ethtool_parse_ts(const char *text, struct ethtool_ts *out);
void ethtool_parse_coalesce(const char *text, struct ethtool_coalesce *out);
/* Whether ptp4l with this network_transport ("L2", "UDPv4", "UDPv6") finds a receive
 * filter it accepts among the advertised ones. */
bool ethtool_filters_fit(const struct ethtool_ts *ts, const char *transport);

#endif
