/* See monitor_capture.h. */
#include <malloc.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "analyze/capture_input.h"
#include "capture/exchange.h"
#include "capture/frame.h"
#include "capture/pcap_in.h"
#include "common/log.h"
#include "pipeline/monitor_capture.h"
#include "pipeline/monitor_sources.h"

/* IFF_UP and IFF_RUNNING (link up); true when it cannot be known. */
static bool if_running(const char *ifname)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	size_t n = strlen(ifname);
	if (n >= sizeof(ifr.ifr_name))
		n = sizeof(ifr.ifr_name) - 1;
	memcpy(ifr.ifr_name, ifname, n);
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	return rc != 0 || (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

static void on_exchange(void *ctx, const struct exchange *ex)
{
	struct mon_capture_link *l = ctx;
	struct mon_capture *c = &l->m->cap;
	c->exchanges++;
	c->last_exchange_mono = l->now_mono;
	mon_series_add(&c->offset, l->now_mono, ex->offset_ns);
	mon_series_add(&c->delay, l->now_mono, ex->delay_ns);
}

int mon_capture_open(struct mon_capture_link *l, struct monitor *m, const char *ifname,
		     enum live_ts_want want, bool allow_host)
{
	memset(l, 0, sizeof(*l));
	l->m = m;
	struct mon_capture *c = &m->cap;
	if (strcmp(ifname, "any") != 0 && (l->ifindex = if_nametoindex(ifname)) == 0) {
		log_err("--capture %s: no such interface (see 'ip link')", ifname);
		return -1;
	}
	int tstype;
	pcap_t *p;
	char warn[1024];
	/* not promiscuous: the PTP this host sends and the multicast ptp4l joined are all it
	 * needs, and a monitor changes nothing on the interface it can avoid */
	/* no fallback option: host stamps are asked for, never fallen back to */
	static const struct live_ts_opts names = { "--capture-tstamp", NULL };
	if (live_open(ifname, want, allow_host, &names, false, &tstype, warn, sizeof(warn), &p) != 0)
		return -1;
	const char *filter;
	if (live_set_filter(p, ifname, NULL, &filter) != 0) {
		pcap_close(p);
		return -1;
	}
	if (!frame_dlt_supported(pcap_datalink(p))) {
		log_err("--capture %s: link type %d is not supported", ifname, pcap_datalink(p));
		pcap_close(p);
		return -1;
	}
	if (warn[0])
		log_warn("%s", warn);
	l->in = pcap_in_wrap(p, ifname);
	/* the monitor sits at the slave: its own Delay_Reqs, as `capture -i` pairs them */
	struct pairer_opts po = { 0 };
	l->pr = pairer_new(&po, on_exchange, NULL, l);
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	snprintf(c->tstamp, sizeof(c->tstamp), "%s", pcap_tstamp_type_val_to_name(tstype));
	c->phc_time = tstype == PCAP_TSTAMP_ADAPTER_UNSYNCED;
	return 0;
}

int mon_capture_fd(const struct mon_capture_link *l)
{
	return l->in && !l->gone ? pcap_get_selectable_fd(pcap_in_handle(l->in)) : -1;
}

void mon_capture_read(struct mon_capture_link *l, int64_t now_mono)
{
	if (!l->in || l->gone)
		return;
	struct mon_capture *c = &l->m->cap;
	l->now_mono = now_mono;
	struct ptp_packet pkt;
	for (int k = 0; k < 10000; k++) {
		/* a read error is printed by pcap_in_next; libpcap reports an interface that went
		 * down once (the socket error is cleared by reading it), then reads nothing */
		int rc = pcap_in_next(l->in, &pkt);
		if (rc <= 0)
			return;
		pairer_feed(l->pr, &pkt);
		struct health_msg hm;
		capture_input_from_msg(&pkt.msg, pkt.ts.ns, &hm);
		/* PHC time is not UTC: the timescale check would compare TAI with TAI */
		if (c->phc_time)
			hm.has_ts = false;
		for (int e = 0; e < 2; e++)
			if (c->epoch[e])
				health_feed(c->epoch[e], &hm);
	}
}

void mon_capture_tick(struct mon_capture_link *l, int64_t now_mono)
{
	struct monitor *m = l->m;
	struct mon_capture *c = &m->cap;
	if (!l->in)
		return;
	const struct pcap_in_stats *st = pcap_in_stats(l->in);
	c->packets = st->packets;
	c->ptp = st->ptp;
	c->malformed = st->malformed;
	c->pairs = *pairer_counts(l->pr);
	struct pcap_stat ps;
	if (pcap_stats(pcap_in_handle(l->in), &ps) == 0) {
		c->kernel_drops = ps.ps_drop;
		c->if_drops = ps.ps_ifdrop;
	}
	bool up = !l->gone;
	if (up && l->ifindex) {
		unsigned idx = if_nametoindex(c->ifname);
		if (idx != l->ifindex) {
			/* deleted (or deleted and made again): the socket is bound to the old
			 * index, and a new one needs the capability dropped at start */
			l->gone = true;
			up = false;
			snprintf(l->err, sizeof(l->err), "%s: the interface is gone; restart the "
				 "monitor to capture on a new one", c->ifname);
		} else if (!if_running(c->ifname)) {
			up = false;
			snprintf(l->err, sizeof(l->err), "%s: the interface is down", c->ifname);
		}
	}
	monitor_mark(m, MON_CAPTURE, up, l->err);
	mon_capture_epochs(m, now_mono);
}

void mon_capture_epochs(struct monitor *m, int64_t now_mono)
{
	struct mon_capture *c = &m->cap;
	/* one window each, the second started half a window after the first; an epoch a
	 * window old is replaced by a new one */
	int64_t win = (int64_t)(m->window_s * 1e9);
	bool freed = false;
	for (int e = 0; e < 2; e++) {
		if (c->epoch[e] && now_mono - c->epoch_start[e] < win)
			continue;
		if (!c->epoch[e] && e == 1 && (!c->epoch[0] || now_mono - c->epoch_start[0] < win / 2))
			continue;
		freed |= c->epoch[e] != NULL;
		health_free(c->epoch[e]);
		c->epoch[e] = health_new();
		c->epoch_start[e] = now_mono;
	}
	/* An epoch is thousands of small blocks freed at once, interleaved with the live
	 * epoch's: glibc keeps the freed pages (RssAnon rose ~310 KiB over 20 minutes of a
	 * 30-minute run while the heap in use stayed flat). Hand the free pages back to the
	 * kernel once per epoch, so the daemon's resident size stays flat over days. */
	if (freed)
		malloc_trim(0);
}

void mon_capture_close(struct mon_capture_link *l)
{
	if (l->pr)
		pairer_free(l->pr);
	if (l->in)
		pcap_in_close(l->in);
	l->pr = NULL;
	l->in = NULL;
}
