/* See live_open.h. */
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "capture/live_open.h"
#include "common/cli.h"
#include "common/log.h"

const char live_default_filter[] =
	LIVE_PTP_FILTER " or (vlan and (" LIVE_PTP_FILTER "))";

bool live_tstamp_arg(const char *opt, const char *s, enum live_ts_want *out)
{
	if (!strcmp(s, "hw"))
		*out = LIVE_TS_HW;
	else if (!strcmp(s, "hw-unsynced"))
		*out = LIVE_TS_HW_UNSYNCED;
	else if (!strcmp(s, "host"))
		*out = LIVE_TS_HOST;
	else
		return usage_error("%s: '%s' is not hw, hw-unsynced or host", opt, s), false;
	return true;
}

static bool has_type(const int *types, int n, int t)
{
	for (int i = 0; i < n; i++)
		if (types[i] == t)
			return true;
	return false;
}

static void list_types(const int *types, int n, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = 0;
	for (int i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "",
				      pcap_tstamp_type_val_to_name(types[i]));
	if (n == 0)
		snprintf(buf, len, "host only");
}

static void loud_host_warning(char *host_warning, size_t warnlen, const char *ifname,
			      const char *why, const struct live_ts_opts *o)
{
	snprintf(host_warning, warnlen,
		 "%s: %s; capturing with HOST (SOFTWARE) TIMESTAMPS. Offsets and delays then "
		 "include the host's latency and jitter (typically microseconds). Give %s "
		 "host%s%s to make this choice explicit.", ifname, why, o->tstamp,
		 o->allow_host ? " or " : "", o->allow_host ? o->allow_host : "");
}

/* The remedy when hardware timestamps are refused: the caller's fallback option, or asking
 * for host timestamps outright. */
static const char *host_remedy(const struct live_ts_opts *o, char *buf, size_t len)
{
	if (o->allow_host)
		snprintf(buf, len, "%s to fall back to host timestamps", o->allow_host);
	else
		snprintf(buf, len, "%s host to capture with host timestamps", o->tstamp);
	return buf;
}

/* Chooses and sets the timestamp type before activation. -1 (printed) to refuse. */
static int choose_tstamp(pcap_t *p, const char *ifname, enum live_ts_want want, bool allow_host,
			 const struct live_ts_opts *o, int *chosen, char *host_warning,
			 size_t warnlen)
{
	char remedy[128];
	int *types = NULL;
	int n = pcap_list_tstamp_types(p, &types);
	if (n < 0)
		n = 0;
	char avail[128];
	list_types(types, n, avail, sizeof(avail));
	bool has_adapter = has_type(types, n, PCAP_TSTAMP_ADAPTER);
	bool has_unsynced = has_type(types, n, PCAP_TSTAMP_ADAPTER_UNSYNCED);
	pcap_free_tstamp_types(types);
	switch (want) {
	case LIVE_TS_HOST:
		*chosen = PCAP_TSTAMP_HOST;
		break;
	case LIVE_TS_AUTO:
		if (has_unsynced)
			*chosen = PCAP_TSTAMP_ADAPTER_UNSYNCED;
		else if (has_adapter)
			*chosen = PCAP_TSTAMP_ADAPTER;
		else {
			*chosen = PCAP_TSTAMP_HOST;
			if (!allow_host) {
				char why[200];
				snprintf(why, sizeof(why), "no hardware timestamps (the interface offers: %s)",
					 avail);
				loud_host_warning(host_warning, warnlen, ifname, why, o);
			}
		}
		break;
	case LIVE_TS_HW:
	case LIVE_TS_HW_UNSYNCED: {
		int t = want == LIVE_TS_HW ? PCAP_TSTAMP_ADAPTER : PCAP_TSTAMP_ADAPTER_UNSYNCED;
		if ((want == LIVE_TS_HW && has_adapter) ||
		    (want == LIVE_TS_HW_UNSYNCED && has_unsynced)) {
			*chosen = t;
			break;
		}
		if (!allow_host) {
			bool unsynced = want == LIVE_TS_HW && has_unsynced;
			log_err("%s: no %s timestamps (the interface offers: %s); %s%s%s%s", ifname,
				pcap_tstamp_type_val_to_name(t), avail, unsynced ? "use " : "give ",
				unsynced ? o->tstamp : "", unsynced ? " hw-unsynced, or " : "",
				host_remedy(o, remedy, sizeof(remedy)));
			return -1;
		}
		log_warn("%s: no %s timestamps (the interface offers: %s): using host timestamps as "
			 "--allow-host-timestamps permits", ifname, pcap_tstamp_type_val_to_name(t), avail);
		*chosen = PCAP_TSTAMP_HOST;
		break;
	}
	}
	int rc = pcap_set_tstamp_type(p, *chosen);
	if (rc != 0 && *chosen != PCAP_TSTAMP_HOST) {
		log_err("%s: cannot set %s timestamps: %s", ifname,
			pcap_tstamp_type_val_to_name(*chosen), pcap_statustostr(rc));
		return -1;
	}
	return 0;
}

int live_open(const char *ifname, enum live_ts_want want, bool allow_host,
	      const struct live_ts_opts *opts, bool promisc, int *chosen, char *host_warning,
	      size_t warnlen, pcap_t **out)
{
	char remedy[128];
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(ifname, ebuf);
	if (!p) {
		log_err("%s: cannot capture: %s", ifname, ebuf);
		return -1;
	}
	host_warning[0] = '\0';
	if (choose_tstamp(p, ifname, want, allow_host, opts, chosen, host_warning, warnlen) != 0) {
		pcap_close(p);
		return -1;
	}
	/* PTP frames are small: a 2 KiB snapshot (counted as malformed "snaplen" if ever too
	 * short) keeps the ring's slots small, and 8 MiB of ring hold thousands of frames.
	 * With 65535 on a veth with offloads, 2 MiB held only ~32 frames and bursts dropped. */
	pcap_set_snaplen(p, 2048);
	pcap_set_buffer_size(p, 8 << 20);
	pcap_set_promisc(p, promisc);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 100);
	if (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0) {
		log_err("%s: libpcap cannot give nanosecond timestamps here", ifname);
		pcap_close(p);
		return -1;
	}
	int rc = pcap_activate(p);
	if (rc < 0) {
		const char *hint = "";
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			hint = " (no such interface: see 'ip link')";
		else if (rc == PCAP_ERROR_PERM_DENIED)
			hint = " (capturing needs root or CAP_NET_RAW)";
		log_err("%s: cannot capture: %s%s", ifname, pcap_geterr(p)[0] ? pcap_geterr(p) :
			pcap_statustostr(rc), hint);
		pcap_close(p);
		return -1;
	}
	if (rc == PCAP_WARNING_TSTAMP_TYPE_NOTSUP && *chosen != PCAP_TSTAMP_HOST) {
		/* The driver refused SIOCSHWTSTAMP: the frames carry host timestamps. */
		if (want != LIVE_TS_AUTO && !allow_host) {
			log_err("%s: the driver refused hardware timestamping (SIOCSHWTSTAMP); give %s",
				ifname, host_remedy(opts, remedy, sizeof(remedy)));
			pcap_close(p);
			return -1;
		}
		if (!allow_host)
			loud_host_warning(host_warning, warnlen, ifname,
					  "the driver refused hardware timestamping", opts);
		*chosen = PCAP_TSTAMP_HOST;
	} else if (rc > 0) {
		log_warn("%s: %s", ifname, pcap_statustostr(rc));
	}
	if (*chosen != PCAP_TSTAMP_HOST)
		/* libpcap 1.10 setup_mmapped: SIOCSHWTSTAMP tx_type HWTSTAMP_TX_ON, rx_filter
		 * HWTSTAMP_FILTER_ALL, and no code in pcap-linux.c puts the old setting back. */
		log_warn("%s: hardware timestamps: libpcap set the NIC's timestamping to all received "
			 "frames and two-step transmit (SIOCSHWTSTAMP); a one-step ptp4l on this port "
			 "loses its one-step setting until it restarts", ifname);
	if (pcap_setnonblock(p, 1, ebuf) != 0 || pcap_get_selectable_fd(p) < 0) {
		log_err("%s: cannot poll the capture: %s", ifname, ebuf);
		pcap_close(p);
		return -1;
	}
	if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO) {
		log_err("%s: libpcap did not give nanosecond timestamps", ifname);
		pcap_close(p);
		return -1;
	}
	*out = p;
	return 0;
}

int live_set_filter(pcap_t *p, const char *ifname, const char *expr, const char **used)
{
	if (!expr) {
		int dlt = pcap_datalink(p);
		expr = dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 ? LIVE_PTP_FILTER
								       : live_default_filter;
	}
	*used = expr;
	struct bpf_program prog;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		log_err("--filter '%s': %s", expr, pcap_geterr(p));
		return -1;
	}
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		log_err("%s: cannot set the filter: %s", ifname, pcap_geterr(p));
		return -1;
	}
	return 0;
}

