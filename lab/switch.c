/* ptpcal lab switch: the emulated switch (see switch.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <time.h> /* before linux/errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <math.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture/ptp_build.h"
#include "common/cli.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/log.h"
#include "common/stop_signal.h"
#include "lab/delay_model.h"
#include "lab/keep_awake.h"
#include "lab/ptp_frame.h"
#include "lab/runstats.h"
#include "lab/switch.h"

#define MAX_PORTS 16
#define SLOT_BYTES 2048      /* MTU 1500 + tags; larger frames are dropped and counted */
#define DEFAULT_QUEUE 4096   /* frames in flight at most (constant memory) */
#define TC_TABLE 1024        /* two-step TC: event residences remembered */
#define DEFAULT_SPIN_NS 200000 /* busy-wait the last 200 us before a departure: wake-ups
				* from clock_nanosleep/ppoll were measured 70 us late on average
				* (460 us max) on this lab's VM, timer slack 1 ns */
#define PURE_SPIN_NS 5000    /* the last 5 us: only the clock, no socket polling */
#define SEND_LAT_MAX_NS 50000.0 /* a send() -> driver timestamp longer than this is a stall */
#define SEND_LAT_STEP_NS 500.0  /* the most one sample moves the send-latency estimate up */

enum tc_mode { TC_OFF = 0, TC_ONE_STEP, TC_TWO_STEP };

static const char *tc_mode_name(enum tc_mode m)
{
	return m == TC_ONE_STEP ? "one-step" : m == TC_TWO_STEP ? "two-step" : "off";
}

struct port {
	char name[IF_NAMESIZE];
	int ifindex, fd;
	struct delay_spec fwd, rev; /* fwd: towards this port from port 0; rev: from this port */
	struct delay_model fwd_m, rev_m;
	enum tc_mode tc;
	double tc_scale;            /* faulty TC: correction = residence * scale + error */
	int64_t tc_error_ns;
	bool faulty;
	uint32_t tx_id;             /* SOF_TIMESTAMPING_OPT_ID counter of this socket */
	double send_lat_ns;         /* running estimate of send() -> driver timestamp */
	bool have_lat;
	/* counters and statistics of frames leaving towards / arriving from this port */
	uint64_t rx, tx, lost, reordered, dropped, no_txts;
	struct runstats sched_err;  /* actual - planned departure, every frame sent out here */
	struct runstats sync_res, req_res; /* residence of Sync (fwd, to here) and Delay_Req (rev,
					    * from here to port 0), ns */
	struct runstats tc_err;     /* corrections written on frames to/from here */
};

struct slot {
	int64_t due, rx, planned_delay;
	uint64_t frame, order;
	uint16_t len;
	uint8_t in, out;
	bool reordered;
	bool has_ptp;
	uint8_t data[SLOT_BYTES];
};

struct tc_entry {
	bool used, sent;
	uint8_t type, domain, in, out;
	uint16_t seq;
	struct ptp_port_id src;
	uint64_t frame;
	int64_t due, residence_ns;
};

struct sw {
	struct port ports[MAX_PORTS];
	int nports;
	struct slot *slots;
	int *heap, nheap, *freelist, nfree, queue;
	int64_t last_due[MAX_PORTS][MAX_PORTS]; /* FIFO per path */
	struct tc_entry tc[TC_TABLE];
	int tc_next;
	uint64_t frames, order;
	int64_t first_rx;
	struct ds_writer *log;
	bool log_ptp_only;
	bool isolate;          /* downstream ports talk to the upstream port only */
	uint64_t oversize, queue_full, send_errors, no_rxts;
	unsigned long seed;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* ---- the queue: a binary min-heap of slot indices by (due, arrival order) ---- */
static bool before(const struct sw *s, int a, int b)
{
	const struct slot *x = &s->slots[a], *y = &s->slots[b];
	return x->due < y->due || (x->due == y->due && x->order < y->order);
}

static void heap_push(struct sw *s, int idx)
{
	int i = s->nheap++;
	s->heap[i] = idx;
	while (i > 0) {
		int p = (i - 1) / 2;
		if (!before(s, s->heap[i], s->heap[p]))
			break;
		int t = s->heap[i];
		s->heap[i] = s->heap[p];
		s->heap[p] = t;
		i = p;
	}
}

static int heap_pop(struct sw *s)
{
	int top = s->heap[0];
	s->heap[0] = s->heap[--s->nheap];
	int i = 0;
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->nheap && before(s, s->heap[l], s->heap[m]))
			m = l;
		if (r < s->nheap && before(s, s->heap[r], s->heap[m]))
			m = r;
		if (m == i)
			break;
		int t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
	return top;
}

/* ---- ports ---- */
static int open_port(struct port *p)
{
	p->ifindex = (int)if_nametoindex(p->name);
	if (!p->ifindex) {
		log_err("%s: no such interface in this network namespace", p->name);
		return -1;
	}
	p->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (p->fd < 0) {
		log_err("%s: AF_PACKET socket: %s%s", p->name, strerror(errno),
			errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return -1;
	}
	struct sockaddr_ll sll = { 0 };
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = p->ifindex;
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		log_err("%s: bind: %s", p->name, strerror(errno));
		return -1;
	}
	struct packet_mreq mr = { 0 };
	mr.mr_ifindex = p->ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	int one = 1;
	int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE |
		    SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
	if (setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    setsockopt(p->fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) < 0) {
		log_err("%s: socket options (promiscuous, ignore outgoing, timestamping): %s",
			p->name, strerror(errno));
		return -1;
	}
	/* No PACKET_QDISC_BYPASS: it also bypasses the packet taps, and a capture on a switch
	 * port (validate-switch --ingress/--egress) must see what the switch sends. */
	return 0;
}

/* The downstream port whose settings govern a path. */
static int path_port(int in, int out)
{
	return in == 0 ? out : in;
}

static const char *dir_name(int in, int out)
{
	return in == 0 ? "fwd" : out == 0 ? "rev" : "x";
}

/* ---- the transparent clock's two-step memory ---- */
static struct tc_entry *tc_find(struct sw *s, uint8_t type, uint8_t domain,
				const struct ptp_port_id *src, uint16_t seq, int in, int out)
{
	for (int i = 0; i < TC_TABLE; i++) {
		struct tc_entry *e = &s->tc[i];
		if (e->used && e->type == type && e->domain == domain && e->seq == seq &&
		    e->in == in && e->out == out && ptp_port_id_eq(&e->src, src))
			return e;
	}
	return NULL;
}

static struct tc_entry *tc_remember(struct sw *s, const struct slot *sl, const struct ptp_msg *m)
{
	struct tc_entry *e = &s->tc[s->tc_next];
	s->tc_next = (s->tc_next + 1) % TC_TABLE;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->type = m->hdr.type;
	e->domain = m->hdr.domain;
	e->seq = m->hdr.seq;
	e->src = m->hdr.source;
	e->in = sl->in;
	e->out = sl->out;
	e->frame = sl->frame;
	e->due = sl->due;
	return e;
}

/* ---- logging ---- */
static const char *const log_columns[] = {
	"t_s", "frame", "in", "out", "dir", "encap", "type", "domain", "seq", "source", "rx",
	"planned_tx", "tx", "delay_ns", "residence_ns", "sched_error_ns", "reordered",
	"corr_in_sns", "corr_out_sns", "tc_ref", "tc_true_ns", "tc_error_ns", "fate",
};

struct row {
	const struct slot *sl;
	const struct ptp_loc *loc; /* NULL if not PTP */
	int64_t corr_in;
	bool have_tx;
	int64_t tx;
	int64_t tc_ref;            /* referenced frame, -1 none */
	double tc_true_ns, tc_error_ns;
	const char *fate;
};

static void log_row(struct sw *s, const struct row *r)
{
	if (!s->log || (s->log_ptp_only && !r->loc))
		return;
	struct ds_writer *w = s->log;
	const struct slot *sl = r->sl;
	char buf[PTP_PORT_ID_STRLEN];
	ds_put_fixed(w, (double)(sl->rx - s->first_rx) / 1e9, 9);
	ds_put_i64(w, (int64_t)sl->frame);
	ds_put_str(w, s->ports[sl->in].name);
	ds_put_str(w, s->ports[sl->out].name);
	ds_put_str(w, dir_name(sl->in, sl->out));
	if (r->loc) {
		const struct ptp_msg *m = &r->loc->msg;
		ds_put_str(w, frame_encap_name(r->loc->encap));
		ds_put_str(w, ptp_type_name(m->hdr.type));
		ds_put_i64(w, m->hdr.domain);
		ds_put_i64(w, m->hdr.seq);
		ds_put_str(w, ptp_port_id_str(&m->hdr.source, buf));
	} else {
		ds_put_str(w, "other");
		ds_put_str(w, "-");
		ds_put_str(w, "nan");
		ds_put_str(w, "nan");
		ds_put_str(w, "-");
	}
	ds_put_time(w, ptime_from_ns(sl->rx));
	ds_put_time(w, ptime_from_ns(sl->due));
	if (r->have_tx)
		ds_put_time(w, ptime_from_ns(r->tx));
	else
		ds_put_str(w, "nan");
	ds_put_i64(w, sl->planned_delay);
	ds_put_fixed(w, r->have_tx ? (double)(r->tx - sl->rx) : NAN, 0);
	ds_put_fixed(w, r->have_tx ? (double)(r->tx - sl->due) : NAN, 0);
	ds_put_i64(w, sl->reordered);
	if (r->loc) {
		ds_put_i64(w, r->corr_in);
		ds_put_i64(w, r->loc->msg.hdr.correction);
	} else {
		ds_put_str(w, "nan");
		ds_put_str(w, "nan");
	}
	if (r->tc_ref >= 0)
		ds_put_i64(w, r->tc_ref);
	else
		ds_put_str(w, "-");
	ds_put_fixed(w, r->tc_true_ns, 3);
	ds_put_fixed(w, r->tc_error_ns, 3);
	ds_put_str(w, r->fate);
	ds_end_row(w);
}

/* ---- receive ---- */
static void enqueue(struct sw *s, int in, uint8_t *data, size_t len, int64_t rx, bool csum_partial)
{
	struct ptp_loc loc;
	bool is_ptp = ptp_frame_locate(data, len, &loc);
	/* A frame from a local stack over veth may carry an unfinished UDP checksum (the
	 * sender's kernel leaves it to the "NIC"): finish it, or the receiver drops the frame. */
	if (is_ptp && csum_partial)
		ptp_frame_udp_checksum_fill(data, len, &loc);
	uint64_t frame = ++s->frames;
	if (s->frames == 1)
		s->first_rx = rx;
	for (int out = 0; out < s->nports; out++) {
		if (out == in || (s->isolate && in != 0 && out != 0))
			continue;
		int pp = path_port(in, out);
		struct port *P = &s->ports[pp];
		struct delay_draw d;
		delay_model_draw(in == 0 ? &P->fwd_m : &P->rev_m, &d);
		if (s->nfree == 0) {
			s->queue_full++;
			continue;
		}
		int idx = s->freelist[--s->nfree];
		struct slot *sl = &s->slots[idx];
		sl->rx = rx;
		sl->frame = frame;
		sl->order = ++s->order;
		sl->in = (uint8_t)in;
		sl->out = (uint8_t)out;
		sl->len = (uint16_t)len;
		sl->reordered = d.reordered;
		sl->has_ptp = is_ptp;
		sl->planned_delay = d.delay_ns;
		sl->due = rx + d.delay_ns;
		memcpy(sl->data, data, len);
		const struct delay_spec *spec = in == 0 ? &P->fwd : &P->rev;
		if (d.reordered)
			P->reordered++;
		if (spec->fifo && !d.reordered) {
			if (sl->due < s->last_due[in][out])
				sl->due = s->last_due[in][out];
			s->last_due[in][out] = sl->due;
		}
		if (is_ptp && P->tc == TC_TWO_STEP) {
			uint8_t t = loc.msg.hdr.type;
			if (t == PTP_SYNC || t == PTP_DELAY_REQ) {
				if (!d.lost)
					tc_remember(s, sl, &loc.msg);
			} else if (t == PTP_FOLLOW_UP) {
				/* A two-step TC sends the Follow_Up after its Sync has left, so that
				 * it knows the residence time. */
				struct tc_entry *e = tc_find(s, PTP_SYNC, loc.msg.hdr.domain,
							     &loc.msg.hdr.source, loc.msg.hdr.seq,
							     in, out);
				if (e && !e->sent && sl->due <= e->due)
					sl->due = e->due + 1;
			}
		}
		if (d.lost) {
			P->lost++;
			struct row r = { .sl = sl, .loc = is_ptp ? &loc : NULL,
					 .corr_in = is_ptp ? loc.msg.hdr.correction : 0,
					 .tc_ref = -1, .tc_true_ns = NAN, .tc_error_ns = NAN,
					 .fate = "lost" };
			log_row(s, &r);
			s->freelist[s->nfree++] = idx;
			continue;
		}
		heap_push(s, idx);
	}
}

static void receive(struct sw *s, int in)
{
	struct port *p = &s->ports[in];
	for (;;) {
		uint8_t buf[SLOT_BYTES + 4];
		char ctrl[512];
		struct iovec iov = { buf + 4, SLOT_BYTES };
		struct msghdr mh = { 0 };
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctrl;
		mh.msg_controllen = sizeof(ctrl);
		ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return;
		p->rx++;
		if ((size_t)n > SLOT_BYTES || (mh.msg_flags & MSG_TRUNC)) {
			s->oversize++;
			continue;
		}
		int64_t rx = 0;
		bool partial = false;
		uint8_t *data = buf + 4;
		size_t len = (size_t)n;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
				struct scm_timestamping ts;
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				rx = (int64_t)ts.ts[0].tv_sec * NS_PER_SEC + ts.ts[0].tv_nsec;
			} else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
				struct tpacket_auxdata aux;
				memcpy(&aux, CMSG_DATA(c), sizeof(aux));
				partial = aux.tp_status & TP_STATUS_CSUMNOTREADY;
				/* The kernel took a VLAN tag out of the frame: put it back. */
				if ((aux.tp_status & TP_STATUS_VLAN_VALID) && len >= 12 &&
				    len + 4 <= SLOT_BYTES) {
					uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ?
								aux.tp_vlan_tpid : 0x8100;
					memmove(buf, data, 12);
					data = buf;
					wr16(data + 12, tpid);
					wr16(data + 14, aux.tp_vlan_tci);
					len += 4;
				}
			}
		}
		if (rx == 0) {
			s->no_rxts++;
			rx = now_ns();
		}
		enqueue(s, in, data, len, rx, partial);
	}
}

/* ---- transmit ---- */
/* The driver's transmit timestamp of the frame just sent (id = OPT_ID counter). */
static bool read_txts(struct port *p, uint32_t id, int64_t *ts_out)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		char ctrl[512];
		struct msghdr mh = { 0 };
		mh.msg_control = ctrl;
		mh.msg_controllen = sizeof(ctrl);
		ssize_t n = recvmsg(p->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN)
				return false;
			struct pollfd pfd = { p->fd, POLLPRI, 0 };
			poll(&pfd, 1, 1);
			continue;
		}
		int64_t ts = 0;
		bool have_id = false;
		uint32_t got = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
				struct scm_timestamping t;
				memcpy(&t, CMSG_DATA(c), sizeof(t));
				ts = (int64_t)t.ts[0].tv_sec * NS_PER_SEC + t.ts[0].tv_nsec;
			} else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_TX_TIMESTAMP) {
				struct sock_extended_err ee;
				memcpy(&ee, CMSG_DATA(c), sizeof(ee));
				got = ee.ee_data;
				have_id = true;
			}
		}
		if (ts && (!have_id || got == id)) {
			*ts_out = ts;
			return true;
		}
		/* an older frame's timestamp: skip it */
	}
	return false;
}

static double correction_for(const struct port *P, double residence_ns)
{
	return residence_ns * P->tc_scale + (double)P->tc_error_ns;
}

static void transmit(struct sw *s, int idx)
{
	struct slot *sl = &s->slots[idx];
	struct port *out = &s->ports[sl->out];
	struct port *P = &s->ports[path_port(sl->in, sl->out)];
	struct ptp_loc loc;
	bool is_ptp = sl->has_ptp && ptp_frame_locate(sl->data, sl->len, &loc);
	struct row r = { .sl = sl, .loc = is_ptp ? &loc : NULL, .tc_ref = -1, .tc_true_ns = NAN,
			 .tc_error_ns = NAN, .fate = "sent" };
	r.corr_in = is_ptp ? loc.msg.hdr.correction : 0;
	struct tc_entry *ref = NULL;
	uint8_t type = is_ptp ? loc.msg.hdr.type : 0xff;
	bool event = is_ptp && (type == PTP_SYNC || type == PTP_DELAY_REQ);
	bool one_step_now = false;
	if (is_ptp && P->tc == TC_TWO_STEP) {
		/* Sync residence into its Follow_Up; Delay_Req residence into the Delay_Resp
		 * that answers it, on the copy going back to the requester (linuxptp tc.c,
		 * tc_complete_syfup / tc_complete_response, v3.1.1). A one-step Sync has no
		 * Follow_Up: its own correctionField takes the residence. */
		if (type == PTP_FOLLOW_UP)
			ref = tc_find(s, PTP_SYNC, loc.msg.hdr.domain, &loc.msg.hdr.source,
				      loc.msg.hdr.seq, sl->in, sl->out);
		else if (type == PTP_DELAY_RESP && loc.msg.has_port2)
			ref = tc_find(s, PTP_DELAY_REQ, loc.msg.hdr.domain, &loc.msg.port2,
				      loc.msg.hdr.seq, sl->out, sl->in);
		else if (type == PTP_SYNC && !(loc.msg.hdr.flags & PTP_FLAG_TWO_STEP))
			one_step_now = true;
		if (ref && !ref->sent)
			ref = NULL;
	}
	if (is_ptp && P->tc == TC_ONE_STEP && event)
		one_step_now = true;
	if (ref) {
		double corr = correction_for(P, (double)ref->residence_ns);
		ptp_frame_add_correction(sl->data, &loc, llround(corr * SNS_PER_NS));
		r.tc_ref = (int64_t)ref->frame;
		r.tc_true_ns = (double)ref->residence_ns;
		r.tc_error_ns = corr - (double)ref->residence_ns;
		runstats_add(&P->tc_err, r.tc_error_ns);
	}
	/* The main loop calls this at the departure time (it spins for the last SPIN_NS). */
	int64_t now = now_ns();
	double written_ns = NAN;
	if (one_step_now) {
		/* One-step: the correction must be in the frame before it leaves, so it is the
		 * departure we expect: now plus the send latency measured on earlier frames. */
		double est = (double)(now - sl->rx) + (out->have_lat ? out->send_lat_ns : 0);
		written_ns = correction_for(P, est);
		ptp_frame_add_correction(sl->data, &loc, llround(written_ns * SNS_PER_NS));
	}
	int64_t before = now_ns();
	ssize_t n = send(out->fd, sl->data, sl->len, 0);
	if (n != (ssize_t)sl->len) {
		s->send_errors++;
		out->dropped++;
		r.fate = "send-error";
		log_row(s, &r);
		return;
	}
	uint32_t id = out->tx_id++;
	out->tx++;
	int64_t tx;
	r.have_tx = read_txts(out, id, &tx);
	if (!r.have_tx) {
		out->no_txts++;
	} else {
		r.tx = tx;
		/* The send latency is the stack's (a few us on veth); a sample beyond it is a
		 * stall of this process or the kernel (ms on a loaded VM without kernel
		 * preemption), and the departures move with the estimate: one 5 ms stall in a
		 * plain running mean sent the next frames 300 us early. So: stalls above
		 * SEND_LAT_MAX_NS never count, and one sample moves the estimate by at most
		 * SEND_LAT_STEP_NS. */
		double lat = (double)(tx - before);
		if (lat >= 0 && lat <= SEND_LAT_MAX_NS) {
			if (!out->have_lat) {
				out->send_lat_ns = lat;
				out->have_lat = true;
			} else {
				double step = (lat - out->send_lat_ns) / 16;
				if (step > SEND_LAT_STEP_NS)
					step = SEND_LAT_STEP_NS;
				out->send_lat_ns += step;
			}
		}
		runstats_add(&out->sched_err, (double)(tx - sl->due));
		int64_t res = tx - sl->rx;
		if (is_ptp && type == PTP_SYNC && sl->in == 0)
			runstats_add(&s->ports[sl->out].sync_res, (double)res);
		if (is_ptp && type == PTP_DELAY_REQ && sl->out == 0)
			runstats_add(&s->ports[sl->in].req_res, (double)res);
		if (one_step_now) {
			r.tc_ref = (int64_t)sl->frame;
			r.tc_true_ns = (double)res;
			r.tc_error_ns = written_ns - (double)res;
			runstats_add(&P->tc_err, r.tc_error_ns);
		}
		if (is_ptp && P->tc == TC_TWO_STEP && event) {
			struct tc_entry *e = tc_find(s, type, loc.msg.hdr.domain, &loc.msg.hdr.source,
						     loc.msg.hdr.seq, sl->in, sl->out);
			if (e) {
				e->sent = true;
				e->residence_ns = res;
			}
		}
	}
	log_row(s, &r);
}

/* ---- options ---- */
static const char usage[] =
	"usage: ptpcal lab switch --upstream IF --port IF [per-port options] [--port IF ...]\n"
	"\n"
	"The lab's emulated switch: forwards every frame between the interfaces (AF_PACKET), each\n"
	"direction with its own delay, delay variation, loss and reordering, optionally as an\n"
	"IEEE 1588 end-to-end transparent clock (exact or deliberately wrong), and logs every\n"
	"frame with its receive, planned and actual transmit times (kernel software timestamps,\n"
	"CLOCK_REALTIME). Run it in the switch's network namespace (ptpcal lab up does).\n"
	"\n"
	"  -u, --upstream IF     port 0, the grandmaster's side\n"
	"  -p, --port IF         a downstream port; the options below apply to the last --port,\n"
	"                        or to every port when given before the first --port\n"
	"      --fwd SPEC        delay towards the port (master -> slave)      default 0\n"
	"      --rev SPEC        delay of frames coming from it (slave -> master) default 0\n"
	"      --tc MODE         off | one-step | two-step (E2E transparent clock)  default off\n"
	"      --tc-fault ERR    faulty TC: add ERR to every correction (e.g. 20us, -5us)\n"
	"      --tc-scale K      faulty TC: write K x the residence time (e.g. 0.9)\n"
	"  -l, --log FILE        per-frame log (dataset kind switch-frames)\n"
	"      --log-ptp-only    log PTP frames only\n"
	"      --isolate         port isolation: downstream ports reach the upstream port only\n"
	"                        (fewer copies, so departures collide less)\n"
	"  -d, --duration D      stop after D (30s, 10min, 1h); default: until SIGINT/SIGTERM\n"
	"      --seed N          random seed of the delay models (default: from the clock)\n"
	"      --queue N         frames in flight at most (default 4096)\n"
	"      --rt PRIO         run SCHED_FIFO at this priority (1-99) for tighter departures\n"
	"      --spin D          busy-wait this long before each departure (default 200us)\n"
	"      --no-keep-awake   no idle-priority spinner per CPU (they keep a VM's vCPUs from\n"
	"                        halting: the host's wake-up was ms late on this lab's VM)\n"
	"      --json            summary as JSON on stdout\n"
	"  -q, --quiet / -v, --verbose / -h, --help\n"
	"\n"
	"SPEC: [delay=]D[,pdv=constant|uniform:LO:HI|normal:SIGMA|exp:MEAN|trace:FILE]\n"
	"      [,loss=P][,reorder=P[:HOLD]][,order=fifo|free]      e.g. 300us,pdv=normal:10us\n"
	"Asymmetry of a port = mean fwd delay - mean rev delay (known by construction, written\n"
	"into the log's metadata). Exit: 0 ok, 2 bad usage or an interface cannot be opened.\n";

static bool set_spec(const char *opt, const char *arg, struct delay_spec *dst)
{
	char err[256];
	if (!delay_spec_parse(arg, dst, err, sizeof(err))) {
		usage_error("%s %s: %s", opt, arg, err);
		return false;
	}
	return true;
}

struct port_defaults {
	struct delay_spec fwd, rev;
	enum tc_mode tc;
	double tc_scale;
	int64_t tc_error_ns;
	bool faulty;
};

static void write_meta(struct sw *s, int argc, char **argv)
{
	struct ds_writer *w = s->log;
	char cmd[2048];
	size_t n = 0;
	cmd[0] = 0;
	for (int i = 0; i < argc && n < sizeof(cmd) - 2; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "ptpcal lab ",
				      argv[i]);
	ds_meta(w, "created_by", "ptpcal %s", PTPCAL_VERSION);
	ds_meta(w, "switch_command", "%s", cmd);
	ds_meta(w, "clock", "CLOCK_REALTIME (kernel software timestamps, SO_TIMESTAMPING): rx "
		"at the ingress socket, tx in the egress driver");
	ds_meta(w, "seed", "%lu", s->seed);
	ds_meta(w, "upstream", "%s", s->ports[0].name);
	ds_meta(w, "isolate", "%d", s->isolate);
	for (int i = 1; i < s->nports; i++) {
		struct port *p = &s->ports[i];
		char f[700], r[700];
		ds_meta(w, "port", "%s fwd %s rev %s tc %s%s", p->name,
			delay_spec_format(&p->fwd, f, sizeof(f)),
			delay_spec_format(&p->rev, r, sizeof(r)), tc_mode_name(p->tc),
			p->faulty ? " faulty" : "");
		double fe = delay_model_expected_ns(&p->fwd_m), re = delay_model_expected_ns(&p->rev_m);
		ds_meta(w, "injected", "%s injected_delay_fwd_ns %.3f injected_delay_rev_ns %.3f "
			"injected_asymmetry_ns %.3f transparent_clock %s tc_scale %.9g "
			"tc_error_ns %lld", p->name, fe, re, fe - re,
			p->tc == TC_OFF ? "off" : p->faulty ? "faulty" : "on", p->tc_scale,
			(long long)p->tc_error_ns);
	}
	ds_meta(w, "sign_convention", "asymmetry = fwd - rev = master->slave minus slave->master");
	ds_meta(w, "columns", "residence_ns = tx - rx; sched_error_ns = tx - planned_tx; "
		"tc_true_ns = the residence a correction stands for; tc_error_ns = correction "
		"added - tc_true_ns; fate sent|lost|send-error");
}

static void summary(struct sw *s, bool json, int64_t elapsed_ns)
{
	char a[32], b[32], c[32], d[32];
	log_note("switch: %llu frames in %s; queue full %llu, oversize %llu, send errors %llu, "
		 "no rx timestamp %llu", (unsigned long long)s->frames,
		 fmt_duration((double)elapsed_ns, a, sizeof(a)), (unsigned long long)s->queue_full,
		 (unsigned long long)s->oversize, (unsigned long long)s->send_errors,
		 (unsigned long long)s->no_rxts);
	for (int i = 0; i < s->nports; i++) {
		struct port *p = &s->ports[i];
		log_note("  %s: rx %llu, tx %llu, lost %llu, reordered %llu; departure error "
			 "mean %s, p50 %s, p99 %s, max %s", p->name, (unsigned long long)p->rx,
			 (unsigned long long)p->tx, (unsigned long long)p->lost,
			 (unsigned long long)p->reordered,
			 fmt_si_time(p->sched_err.mean, a, sizeof(a)),
			 fmt_si_time(runstats_pct(&p->sched_err, 50), b, sizeof(b)),
			 fmt_si_time(runstats_pct(&p->sched_err, 99), c, sizeof(c)),
			 fmt_si_time(p->sched_err.max, d, sizeof(d)));
		if (i > 0 && p->sync_res.n && p->req_res.n)
			log_note("  %s: Sync residence mean %s, Delay_Req residence mean %s, "
				 "realised asymmetry %s", p->name,
				 fmt_si_time(p->sync_res.mean, a, sizeof(a)),
				 fmt_si_time(p->req_res.mean, b, sizeof(b)),
				 fmt_si_time(p->sync_res.mean - p->req_res.mean, c, sizeof(c)));
		if (p->tc_err.n)
			log_note("  %s: TC correction error mean %s, std %s, max |err| %s (%llu)",
				 p->name, fmt_si_time(p->tc_err.mean, a, sizeof(a)),
				 fmt_si_time(runstats_std(&p->tc_err), b, sizeof(b)),
				 fmt_si_time(fmax(fabs(p->tc_err.min), fabs(p->tc_err.max)), c,
					     sizeof(c)), (unsigned long long)p->tc_err.n);
	}
	if (!json)
		return;
	struct json j;
	json_init(&j, stdout, true);
	json_obj_begin(&j, NULL);
	json_int(&j, "frames", (int64_t)s->frames);
	json_num(&j, "duration_s", (double)elapsed_ns / 1e9);
	json_int(&j, "queue_full", (int64_t)s->queue_full);
	json_int(&j, "oversize", (int64_t)s->oversize);
	json_int(&j, "send_errors", (int64_t)s->send_errors);
	json_int(&j, "seed", (int64_t)s->seed);
	json_arr_begin(&j, "ports");
	for (int i = 0; i < s->nports; i++) {
		struct port *p = &s->ports[i];
		json_obj_begin(&j, NULL);
		json_str(&j, "name", p->name);
		json_bool(&j, "upstream", i == 0);
		json_int(&j, "rx", (int64_t)p->rx);
		json_int(&j, "tx", (int64_t)p->tx);
		json_int(&j, "lost", (int64_t)p->lost);
		json_int(&j, "reordered", (int64_t)p->reordered);
		json_int(&j, "no_tx_timestamp", (int64_t)p->no_txts);
		json_num(&j, "send_latency_ns", p->have_lat ? p->send_lat_ns : NAN);
		json_obj_begin(&j, "departure_error_ns");
		json_int(&j, "n", (int64_t)p->sched_err.n);
		json_num(&j, "mean", p->sched_err.mean);
		json_num(&j, "std", runstats_std(&p->sched_err));
		json_num(&j, "p50", runstats_pct(&p->sched_err, 50));
		json_num(&j, "p99", runstats_pct(&p->sched_err, 99));
		json_num(&j, "max", p->sched_err.max);
		json_obj_end(&j);
		if (i > 0) {
			json_str(&j, "tc", tc_mode_name(p->tc));
			json_bool(&j, "faulty", p->faulty);
			json_num(&j, "expected_asymmetry_ns",
				 delay_model_expected_ns(&p->fwd_m) - delay_model_expected_ns(&p->rev_m));
			json_num(&j, "sync_residence_mean_ns", p->sync_res.n ? p->sync_res.mean : NAN);
			json_num(&j, "delay_req_residence_mean_ns", p->req_res.n ? p->req_res.mean : NAN);
			json_num(&j, "tc_error_mean_ns", p->tc_err.n ? p->tc_err.mean : NAN);
			json_num(&j, "tc_error_max_abs_ns",
				 p->tc_err.n ? fmax(fabs(p->tc_err.min), fabs(p->tc_err.max)) : NAN);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

int lab_switch_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "upstream", required_argument, NULL, 'u' },
		{ "port", required_argument, NULL, 'p' },
		{ "fwd", required_argument, NULL, 'F' },
		{ "rev", required_argument, NULL, 'R' },
		{ "tc", required_argument, NULL, 'T' },
		{ "tc-fault", required_argument, NULL, 'E' },
		{ "tc-scale", required_argument, NULL, 'K' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-ptp-only", no_argument, NULL, 'P' },
		{ "isolate", no_argument, NULL, 'I' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 'S' },
		{ "queue", required_argument, NULL, 'Q' },
		{ "rt", required_argument, NULL, 'r' },
		{ "spin", required_argument, NULL, 's' },
		{ "no-keep-awake", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sw s; /* large; one per process */
	memset(&s, 0, sizeof(s));
	struct port_defaults def;
	memset(&def, 0, sizeof(def));
	def.fwd.fifo = def.rev.fifo = true;
	def.tc_scale = 1.0;
	bool have_upstream = false, json = false, seeded = false, keep_awake = true;
	const char *log_path = NULL;
	int64_t duration = 0;
	long rt = 0, queue = DEFAULT_QUEUE;
	int64_t spin = DEFAULT_SPIN_NS;
	int c;
	cli_reset_getopt();
	/* Options apply to the port named last, or to all ports before the first --port. */
	struct port *cur = NULL;
	while ((c = getopt_long(argc, argv, "+u:p:l:d:qvh", opts, NULL)) != -1) {
		double v;
		switch (c) {
		case 'u':
		case 'p': {
			if (c == 'u' && have_upstream)
				return usage_error("--upstream given twice");
			int i = c == 'u' ? 0 : (s.nports ? s.nports : 1);
			if (i >= MAX_PORTS)
				return usage_error("at most %d ports", MAX_PORTS);
			if (strlen(optarg) >= IF_NAMESIZE || !*optarg)
				return usage_error("'%s' is not an interface name", optarg);
			struct port *p = &s.ports[i];
			strcpy(p->name, optarg);
			p->fwd = def.fwd;
			p->rev = def.rev;
			p->tc = def.tc;
			p->tc_scale = def.tc_scale;
			p->tc_error_ns = def.tc_error_ns;
			p->faulty = def.faulty;
			if (c == 'u') {
				have_upstream = true;
				if (s.nports == 0)
					s.nports = 1;
			} else {
				s.nports = i + 1;
				cur = p;
			}
			break;
		}
		case 'F':
			if (!set_spec("--fwd", optarg, cur ? &cur->fwd : &def.fwd))
				return EXIT_USAGE;
			break;
		case 'R':
			if (!set_spec("--rev", optarg, cur ? &cur->rev : &def.rev))
				return EXIT_USAGE;
			break;
		case 'k':
			keep_awake = false;
			break;
		case 'T': {
			enum tc_mode m;
			if (!strcmp(optarg, "off"))
				m = TC_OFF;
			else if (!strcmp(optarg, "one-step") || !strcmp(optarg, "on"))
				m = TC_ONE_STEP;
			else if (!strcmp(optarg, "two-step"))
				m = TC_TWO_STEP;
			else
				return usage_error("--tc %s: expected off, one-step or two-step", optarg);
			*(cur ? &cur->tc : &def.tc) = m;
			break;
		}
		case 'E':
			if (!parse_time_value(optarg, 1.0, &v) || fabs(v) > 1e9)
				return usage_error("--tc-fault %s: not a duration (like 20us)", optarg);
			*(cur ? &cur->tc_error_ns : &def.tc_error_ns) = llround(v);
			*(cur ? &cur->faulty : &def.faulty) = true;
			break;
		case 'K':
			if (!parse_double_strict(optarg, &v) || !(v > 0) || v > 10)
				return usage_error("--tc-scale %s: expected a factor in (0, 10]", optarg);
			*(cur ? &cur->tc_scale : &def.tc_scale) = v;
			*(cur ? &cur->faulty : &def.faulty) = v != 1.0 || (cur ? cur->faulty : def.faulty);
			break;
		case 'l': log_path = optarg; break;
		case 'P': s.log_ptp_only = true; break;
		case 'I': s.isolate = true; break;
		case 'd':
			if (!parse_duration(optarg, &duration) || duration <= 0)
				return usage_error("--duration %s: expected a duration like 30s or 1h",
						   optarg);
			break;
		case 'S': {
			int64_t sd;
			if (!parse_i64_strict(optarg, &sd) || sd < 0)
				return usage_error("--seed %s: expected a non-negative integer", optarg);
			s.seed = (unsigned long)sd;
			seeded = true;
			break;
		}
		case 'Q':
			if (!parse_int_arg("--queue", optarg, 16, 1 << 20, &queue))
				return EXIT_USAGE;
			break;
		case 'r':
			if (!parse_int_arg("--rt", optarg, 1, 99, &rt))
				return EXIT_USAGE;
			break;
		case 's':
			if (!parse_time_value(optarg, 1.0, &v) || v < 0 || v > 10e6)
				return usage_error("--spin %s: expected a duration up to 10ms", optarg);
			spin = llround(v);
			break;
		case 'j': json = true; break;
		case 'q': log_set_verbosity(-1); break;
		case 'v': log_set_verbosity(1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!have_upstream)
		return usage_error("no --upstream interface");
	if (s.nports < 2)
		return usage_error("no downstream --port");
	for (int i = 0; i < s.nports; i++)
		for (int k = 0; k < i; k++)
			if (!strcmp(s.ports[i].name, s.ports[k].name))
				return usage_error("interface %s given twice", s.ports[i].name);
	if (!seeded)
		s.seed = (unsigned long)now_ns();
	for (int i = 1; i < s.nports; i++) {
		char err[600];
		struct port *p = &s.ports[i];
		if (!delay_model_init(&p->fwd_m, &p->fwd, s.seed * 64 + (unsigned long)i * 2, err,
				      sizeof(err)) ||
		    !delay_model_init(&p->rev_m, &p->rev, s.seed * 64 + (unsigned long)i * 2 + 1, err,
				      sizeof(err))) {
			log_err("%s: %s", p->name, err);
			return EXIT_USAGE;
		}
	}
	for (int i = 0; i < s.nports; i++)
		if (open_port(&s.ports[i]))
			return EXIT_USAGE;
	s.queue = (int)queue;
	s.slots = xmalloc((size_t)s.queue * sizeof(*s.slots));
	s.heap = xmalloc((size_t)s.queue * sizeof(int));
	s.freelist = xmalloc((size_t)s.queue * sizeof(int));
	for (int i = 0; i < s.queue; i++)
		s.freelist[s.nfree++] = s.queue - 1 - i;
	if (log_path) {
		s.log = ds_create(log_path, "switch-frames");
		if (!s.log)
			return EXIT_USAGE;
		write_meta(&s, argc, argv);
		ds_columns(s.log, log_columns, (int)(sizeof(log_columns) / sizeof(log_columns[0])));
		ds_flush(s.log);
	}
	/* Before raising our priority: the spinners must not inherit it (lab/keep_awake.h). */
	if (keep_awake)
		keep_awake_start();
	/* Timer slack of 1 ns instead of 50 us: the sleep before a departure must end on time. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (rt) {
		struct sched_param sp = { .sched_priority = (int)rt };
		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			log_warn("--rt %ld: %s (continuing without real-time priority)", rt,
				 strerror(errno));
		mlockall(MCL_CURRENT | MCL_FUTURE);
	}
	stop_signal_catch(NULL);
	signal(SIGPIPE, SIG_IGN);

	struct pollfd pfd[MAX_PORTS];
	for (int i = 0; i < s.nports; i++) {
		pfd[i].fd = s.ports[i].fd;
		pfd[i].events = POLLIN;
	}
	int64_t start = now_ns(), last_flush = start, last_progress = start;
	bool tty = progress_wanted(), log_failed = false;
	log_note("switching %d ports (upstream %s), seed %lu%s%s", s.nports, s.ports[0].name,
		 s.seed, log_path ? ", log " : "", log_path ? log_path : "");
	while (!stop_signal_caught() && !log_failed) {
		int64_t now = now_ns();
		if (duration && now - start >= duration)
			break;
		int64_t due = INT64_MAX;
		if (s.nheap) {
			/* Call send() early by the send latency measured on this port, so that
			 * the driver's timestamp lands on the planned time. */
			const struct slot *top = &s.slots[s.heap[0]];
			const struct port *op = &s.ports[top->out];
			due = top->due - (op->have_lat ? llround(op->send_lat_ns) : 0);
		}
		if (due <= now) {
			int idx = heap_pop(&s);
			transmit(&s, idx);
			s.freelist[s.nfree++] = idx;
			continue;
		}
		if (due - now <= PURE_SPIN_NS)
			continue;
		/* Until SPIN before the next departure: sleep in ppoll. Within it: poll the
		 * sockets without sleeping (frames arriving now may be due first), and spin. */
		int64_t wait = 200000000; /* 200 ms: flushes, progress, duration */
		if (s.nheap)
			wait = due - spin - now;
		if (duration && start + duration - now < wait)
			wait = start + duration - now;
		if (wait < 0)
			wait = 0;
		struct timespec to = { wait / NS_PER_SEC, wait % NS_PER_SEC };
		int n = ppoll(pfd, (nfds_t)s.nports, &to, NULL);
		if (n > 0)
			for (int i = 0; i < s.nports; i++)
				if (pfd[i].revents & POLLIN)
					receive(&s, i);
		if (now - last_flush > 1000000000) {
			last_flush = now;
			if (s.log && ds_flush(s.log)) {
				log_err("%s: write failed", log_path);
				log_failed = true;
			}
			if (tty && now - last_progress > 2000000000) {
				last_progress = now;
				char d[32];
				fprintf(stderr, "\rswitch: %s, %llu frames, %d in flight   ",
					fmt_duration((double)(now - start), d, sizeof(d)),
					(unsigned long long)s.frames, s.nheap);
			}
		}
	}
	if (keep_awake)
		keep_awake_stop();
	if (tty)
		fputc('\n', stderr);
	int status = EXIT_OK;
	if (s.log) {
		ds_meta(s.log, "frames", "%llu", (unsigned long long)s.frames);
		ds_meta(s.log, "in_flight_at_end", "%d", s.nheap);
		for (int i = 1; i < s.nports; i++) {
			struct port *p = &s.ports[i];
			if (p->sync_res.n && p->req_res.n)
				ds_meta(s.log, "realised", "%s sync_residence_mean_ns %.3f "
					"delay_req_residence_mean_ns %.3f realised_asymmetry_ns %.3f "
					"syncs %llu delay_reqs %llu", p->name, p->sync_res.mean,
					p->req_res.mean, p->sync_res.mean - p->req_res.mean,
					(unsigned long long)p->sync_res.n,
					(unsigned long long)p->req_res.n);
		}
		if (ds_close(s.log))
			status = EXIT_USAGE;
	}
	summary(&s, json, now_ns() - start);
	for (int i = 0; i < s.nports; i++) {
		close(s.ports[i].fd);
		delay_model_free(&s.ports[i].fwd_m);
		delay_model_free(&s.ports[i].rev_m);
		runstats_free(&s.ports[i].sched_err);
		runstats_free(&s.ports[i].sync_res);
		runstats_free(&s.ports[i].req_res);
		runstats_free(&s.ports[i].tc_err);
	}
	free(s.slots);
	free(s.heap);
	free(s.freelist);
	return status;
}
