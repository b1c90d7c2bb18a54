/* Opening a network interface for a live PTP capture, shared by `ptpcal capture -i`
 * (live_capture.c) and `ptpcal monitor --capture` (pipeline/monitor_capture.c): libpcap with
 * the timestamp type asked for (hardware when the NIC has it), nanosecond precision,
 * immediate mode, non-blocking, and the BPF filter for PTP over L2, UDP and VLAN.
 *
 * Which timestamps libpcap can give (libpcap 1.10 pcap-linux.c, iface_get_ts_types and
 * setup_mmapped): "host" is the kernel's software timestamp (CLOCK_REALTIME); "adapter" asks
 * for SOF_TIMESTAMPING_SYS_HARDWARE (hardware converted to system time) and
 * "adapter_unsynced" for SOF_TIMESTAMPING_RAW_HARDWARE (the PHC's own time), each after a
 * SIOCSHWTSTAMP with rx_filter HWTSTAMP_FILTER_ALL on the interface. Linux 3.17 removed
 * SYS_HARDWARE (net/packet/af_packet.c tpacket_get_timestamp only honours RAW_HARDWARE), and
 * libpcap lists a type only when ETHTOOL_GET_TS_INFO reports it, so on current kernels the
 * hardware type that exists is adapter_unsynced. If SIOCSHWTSTAMP fails with EOPNOTSUPP,
 * pcap_activate returns PCAP_WARNING_TSTAMP_TYPE_NOTSUP and the capture has host stamps: that
 * is treated exactly like a NIC without hardware stamps. */
#ifndef PTPCAL_LIVE_OPEN_H
#define PTPCAL_LIVE_OPEN_H

#include <stdbool.h>
#include <stddef.h>

#include <pcap/pcap.h>

/* PTP over Ethernet (0x88F7) and UDP event/general ports, untagged or in one VLAN tag:
 * IEEE 1588-2019 annex C (UDP/IPv4), D (UDP/IPv6), E (Ethernet). `vlan` in a BPF expression
 * makes what follows look inside the tag (pcap-filter(7)). */
#define LIVE_PTP_FILTER "ether proto 0x88f7 or udp port 319 or udp port 320"
extern const char live_default_filter[];

enum live_ts_want { LIVE_TS_AUTO, LIVE_TS_HW, LIVE_TS_HW_UNSYNCED, LIVE_TS_HOST };

/* --tstamp hw|hw-unsynced|host; false after a usage error naming opt. */
bool live_tstamp_arg(const char *opt, const char *s, enum live_ts_want *out);

/* The caller's option names, so that a refusal names a remedy the command has: the option
 * that asked for the timestamp type ("--tstamp", "--capture-tstamp") and the one that allows
 * host timestamps instead of hardware ones (NULL when there is none: `ptpcal monitor` never
 * falls back by itself, the remedy is then TSTAMP host). */
struct live_ts_opts {
	const char *tstamp;
	const char *allow_host;
};

/* Opens and activates the interface, choosing the timestamp type (*chosen: PCAP_TSTAMP_*).
 * Hardware timestamps asked for (hw, hw-unsynced) and not there are refused with one line
 * naming the interface, what it offers and the remedy, unless allow_host. Falling back to
 * host timestamps without allow_host (LIVE_TS_AUTO) leaves a loud warning in host_warning
 * (printed by the caller once everything is set up, so that a refusal stays one line); ""
 * otherwise. 0, or -1 after printing why. */
int live_open(const char *ifname, enum live_ts_want want, bool allow_host,
	      const struct live_ts_opts *opts, bool promisc, int *chosen, char *host_warning,
	      size_t warnlen, pcap_t **out);
/* The BPF filter; NULL: live_default_filter, or its untagged part on a Linux cooked
 * capture ("any": no VLAN tags in the data, and libpcap refuses `vlan` there). *used: the
 * expression set. 0, or -1 after printing why. */
int live_set_filter(pcap_t *p, const char *ifname, const char *expr, const char **used);

#endif
