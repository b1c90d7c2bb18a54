/* `ptpcal monitor --capture IFACE`: the live capture as a monitor source. The interface is
 * opened as `ptpcal capture -i` opens it (capture/live_open.h), before the monitor drops its
 * capabilities; every PTP message goes through the same decoder and pairer (capture/
 * exchange.h) and each exchange's offset from master and mean path delay, computed from the
 * wire timestamps t1..t4, into the monitor's windows; every message also into analyze's
 * protocol-health check (analyze/health.h) over epochs of one window. Nothing is written.
 *
 * The capture socket cannot be opened again once the capabilities are gone, so an interface
 * that goes down is followed on the same socket: libpcap reports "The interface went down"
 * once (pcap-linux.c, on the socket's ENETDOWN, which reading SO_ERROR clears), the source
 * and reads go on; the kernel hooks the bound socket in again when the interface comes up
 * (net/packet/af_packet.c packet_notifier, NETDEV_UP). The source is down while the
 * interface is not IFF_UP and IFF_RUNNING (SIOCGIFFLAGS each poll). An interface that is
 * deleted (its index gone or changed) cannot come back on the old socket: said once, and
 * the source stays down until the monitor is restarted. */
#ifndef PTPCAL_MONITOR_CAPTURE_H
#define PTPCAL_MONITOR_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/live_open.h"
#include "pipeline/monitor.h"

struct pcap_in;
struct pairer;

struct mon_capture_link {
	struct pcap_in *in;
	struct pairer *pr;
	struct monitor *m;   /* for the pairer's callback */
	int64_t now_mono;
	unsigned ifindex;    /* 0 for "any" */
	bool gone;           /* the interface was deleted: nothing more to read */
	char err[256];
};

/* Open IFACE (want: the timestamp type). 0, or -1 after printing why (the monitor then
 * refuses to start: a capture asked for and impossible is bad usage). */
int mon_capture_open(struct mon_capture_link *l, struct monitor *m, const char *ifname,
		     enum live_ts_want want, bool allow_host);
/* The descriptor to poll for packets, -1 when there is nothing to read. */
int mon_capture_fd(const struct mon_capture_link *l);
/* Everything the kernel holds now (at most 10000 packets a call, so that HTTP clients and the
 * other sources are served between bursts). */
void mon_capture_read(struct mon_capture_link *l, int64_t now_mono);
/* Once a poll: the counters, up/down, and the health epoch. */
void mon_capture_tick(struct mon_capture_link *l, int64_t now_mono);
void mon_capture_close(struct mon_capture_link *l);
/* The health epochs at now (called by mon_capture_tick; exposed for the tests). */
void mon_capture_epochs(struct monitor *m, int64_t now_mono);

#endif
