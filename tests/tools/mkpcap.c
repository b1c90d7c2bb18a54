/* mkpcap: writes a synthetic capture holding every PTP message type in every encapsulation
 * ptpcal decodes, with random (seeded) field values, plus a stream of one-step and two-step
 * exchanges with sub-nanosecond corrections. The end-to-end tests decode it with ptpcal and
 * with tshark and compare field by field.
 *
 *   mkpcap OUT [--link en10mb|sll|sll2] [--pcapng] [--seed N] [--exchanges N] */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapng_out.h"
#include "capture/ptp_build.h"

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

static pcap_dumper_t *dumper;
static struct pcapng_out *ng;
static int64_t now = 1795578557000000000LL;

static int64_t fixed_ts; /* if non-zero, the capture time of the next packet */

static void out(const uint8_t *f, size_t n, int dir)
{
	if (fixed_ts) {
		now = fixed_ts;
		fixed_ts = 0;
	} else {
		now += 1000000 + rnd() % 1000;
	}
	if (ng) {
		pcapng_out_packet(ng, 0, now, f, n, n, dir);
		return;
	}
	struct pcap_pkthdr h;
	h.ts.tv_sec = now / 1000000000;
	h.ts.tv_usec = now % 1000000000;
	h.caplen = h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)dumper, &h, f);
}

static int link_type = DLT_EN10MB;

/* Wrap a PTP message: encap 0 L2, 1 VLAN, 2 QinQ, 3 UDPv4, 4 UDPv6 (Ethernet only). */
/* dir: 1 received, 2 sent, as seen from the capturing slave. */
static void frame(const uint8_t *ptp, size_t len, int encap, int event, int dir)
{
	uint8_t f[512];
	size_t o = 0;
	if (link_type == DLT_LINUX_SLL) {
		memset(f, 0, 16);
		wr16(f, (uint16_t)(dir == 2 ? 4 : 0));
		wr16(f + 2, 1);
		wr16(f + 4, 6);
		wr16(f + 14, 0x88F7);
		o = 16;
	} else if (link_type == DLT_LINUX_SLL2) {
		memset(f, 0, 20);
		wr16(f, 0x88F7);
		wr32(f + 4, 3);
		wr16(f + 8, 1);
		f[10] = (uint8_t)(dir == 2 ? 4 : 0);
		f[11] = 6;
		o = 20;
	} else {
		static const uint8_t dst[6] = { 0x01, 0x1b, 0x19, 0, 0, 0 };
		static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x42 };
		memcpy(f, dst, 6);
		memcpy(f + 6, src, 6);
		o = 12;
		if (encap == 2) {
			wr16(f + o, 0x88A8);
			wr16(f + o + 2, 10);
			o += 4;
		}
		if (encap == 1 || encap == 2) {
			wr16(f + o, 0x8100);
			wr16(f + o + 2, (uint16_t)(100 + encap));
			o += 4;
		}
		if (encap == 3) {
			wr16(f + o, 0x0800);
			uint8_t *ip = f + o + 2;
			memset(ip, 0, 20);
			ip[0] = 0x45;
			wr16(ip + 2, (uint16_t)(28 + len));
			ip[8] = 1;
			ip[9] = 17;
			wr32(ip + 12, 0xa9fe0001);
			wr32(ip + 16, 0xe0000181);
			/* header checksum, so tshark does not complain */
			uint32_t sum = 0;
			for (int i = 0; i < 20; i += 2)
				sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			wr16(ip + 10, (uint16_t)~sum);
			o += 2 + 20;
		} else if (encap == 4) {
			wr16(f + o, 0x86DD);
			uint8_t *ip = f + o + 2;
			memset(ip, 0, 40);
			ip[0] = 0x60;
			wr16(ip + 4, (uint16_t)(8 + len));
			ip[6] = 17;
			ip[7] = 1;
			ip[8] = 0xfe;
			ip[9] = 0x80;
			ip[23] = 1;
			ip[24] = 0xff;
			ip[25] = 0x0e;
			ip[39] = 0x81;
			o += 2 + 40;
		} else {
			wr16(f + o, 0x88F7);
			o += 2;
		}
		if (encap == 3 || encap == 4) {
			uint16_t port = event ? 319 : 320;
			wr16(f + o, port);
			wr16(f + o + 2, port);
			wr16(f + o + 4, (uint16_t)(8 + len));
			wr16(f + o + 6, 0); /* no checksum (allowed for IPv4; tshark flags v6) */
			o += 8;
		}
	}
	memcpy(f + o, ptp, len);
	out(f, o + len, dir);
}

static void emit(struct ptp_msg *m, int encap)
{
	uint8_t buf[256];
	size_t n = ptp_encode(m, buf, sizeof(buf));
	if (!n) {
		fprintf(stderr, "mkpcap: encode failed\n");
		exit(1);
	}
	int sent = m->hdr.type == PTP_DELAY_REQ || m->hdr.type == PTP_PDELAY_REQ;
	frame(buf, n, encap, ptp_is_event(m->hdr.type), sent ? 2 : 1);
}

static void randomize(struct ptp_msg *m)
{
	m->hdr.flags = (uint16_t)(rnd() & 0x677f);
	m->hdr.correction = (int64_t)((uint64_t)rnd() << 20 | rnd()) * (rnd() & 1 ? 1 : -1);
	m->hdr.log_interval = (int8_t)((int)(rnd() % 10) - 5);
	m->hdr.minor_version = rnd() & 1;
	m->ts.sec = (uint64_t)1795578557 + rnd() % 1000;
	m->ts.nsec = rnd() % 1000000000u;
	for (int i = 0; i < 8; i++)
		m->port2.clock[i] = (uint8_t)rnd();
	m->port2.port = (uint16_t)rnd();
	m->announce.utc_offset = 37;
	m->announce.priority1 = (uint8_t)rnd();
	m->announce.priority2 = (uint8_t)rnd();
	m->announce.clock_class = (uint8_t)rnd();
	m->announce.clock_accuracy = (uint8_t)rnd();
	m->announce.variance = (uint16_t)rnd();
	for (int i = 0; i < 8; i++)
		m->announce.gm_identity[i] = (uint8_t)rnd();
	m->announce.steps_removed = (uint16_t)(rnd() % 5);
	m->announce.time_source = 0x20;
	m->mgmt.starting_hops = 1;
	m->mgmt.hops = 1;
	m->mgmt.action = (uint8_t)(rnd() % 3);
}

static void all_types(int encaps)
{
	const enum ptp_type types[] = { PTP_SYNC, PTP_DELAY_REQ, PTP_PDELAY_REQ, PTP_PDELAY_RESP,
					PTP_FOLLOW_UP, PTP_DELAY_RESP, PTP_PDELAY_RESP_FUP,
					PTP_ANNOUNCE, PTP_SIGNALING, PTP_MANAGEMENT };
	static const uint8_t mgmt_tlv[] = { 0x00, 0x01, 0x00, 0x02, 0x20, 0x00 };
	static const uint8_t sig_tlv[] = { 0x00, 0x03, 0x00, 0x06, 0x00, 0x1b, 0x19, 0x00, 0x00, 0x01 };
	for (int e = 0; e < encaps; e++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			struct ptp_port_id src;
			for (int i = 0; i < 8; i++)
				src.clock[i] = (uint8_t)rnd();
			src.port = (uint16_t)(1 + rnd() % 4);
			struct ptp_msg m;
			ptp_msg_init(&m, types[t], (uint8_t)(rnd() % 4), &src, (uint16_t)rnd());
			randomize(&m);
			if (types[t] == PTP_MANAGEMENT) {
				m.tlvs = mgmt_tlv;
				m.tlvs_len = sizeof(mgmt_tlv);
			} else if (types[t] == PTP_SIGNALING) {
				m.tlvs = sig_tlv;
				m.tlvs_len = sizeof(sig_tlv);
			}
			emit(&m, e);
		}
}

/* A master and a slave: alternating one- and two-step Syncs, corrections with sub-ns parts,
 * delays 50 us (fwd) / 30 us (rev), slave clock 1234 ns ahead of the master. Capture at the
 * slave: t2 and t3 are the packets' capture times. */
static void exchanges(int n, int encap, uint16_t seq0)
{
	struct ptp_port_id M = { { 0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 }, 1 };
	struct ptp_port_id S = { { 0x00, 0x66, 0x77, 0xff, 0xfe, 0x88, 0x99, 0xaa }, 1 };
	const int64_t theta = 1234, d_ms = 50000, d_sm = 30000;
	int64_t T = now + 100000000;
	for (int i = 0; i < n; i++, T += 125000000) {
		int two = i & 1;
		uint16_t seq = (uint16_t)(seq0 + i);
		int64_t t1 = T, t2 = T + d_ms + theta, t3 = t2 + 3000000, t4 = t3 - theta + d_sm;
		struct ptp_msg m;
		ptp_msg_init(&m, PTP_SYNC, 0, &M, seq);
		m.hdr.log_interval = -3;
		m.hdr.correction = (int64_t)(rnd() % 5000000);
		if (two)
			m.hdr.flags = PTP_FLAG_TWO_STEP;
		else {
			m.ts.sec = (uint64_t)(t1 / 1000000000);
			m.ts.nsec = (uint32_t)(t1 % 1000000000);
		}
		fixed_ts = t2;
		emit(&m, encap);
		if (two) {
			ptp_msg_init(&m, PTP_FOLLOW_UP, 0, &M, seq);
			m.hdr.log_interval = -3;
			m.hdr.correction = (int64_t)(rnd() % 300000);
			m.ts.sec = (uint64_t)(t1 / 1000000000);
			m.ts.nsec = (uint32_t)(t1 % 1000000000);
			fixed_ts = t2 + 40000;
			emit(&m, encap);
		}
		ptp_msg_init(&m, PTP_DELAY_REQ, 0, &S, seq);
		m.hdr.log_interval = 0x7f;
		fixed_ts = t3;
		emit(&m, encap);
		ptp_msg_init(&m, PTP_DELAY_RESP, 0, &M, seq);
		m.hdr.log_interval = -3;
		m.hdr.correction = (int64_t)(rnd() % 5000000);
		m.port2 = S;
		m.ts.sec = (uint64_t)(t4 / 1000000000);
		m.ts.nsec = (uint32_t)(t4 % 1000000000);
		fixed_ts = t3 + 200000;
		emit(&m, encap);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, 'l' }, { "pcapng", no_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' }, { "exchanges", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	int pcapng = 0, nex = 50, c;
	rng_state = 1588;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			link_type = !strcmp(optarg, "sll") ? DLT_LINUX_SLL
				  : !strcmp(optarg, "sll2") ? DLT_LINUX_SLL2 : DLT_EN10MB;
			break;
		case 'n': pcapng = 1; break;
		case 's': rng_state = strtoull(optarg, NULL, 10); break;
		case 'x': nex = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: mkpcap OUT [--link en10mb|sll|sll2] [--pcapng] [--seed N] [--exchanges N]\n");
		return 2;
	}
	pcap_t *dead = NULL;
	if (pcapng) {
		ng = pcapng_out_open(argv[optind], link_type, "synthetic", "mkpcap");
		if (!ng)
			return 1;
	} else {
		dead = pcap_open_dead_with_tstamp_precision(link_type, 65535, PCAP_TSTAMP_PRECISION_NANO);
		dumper = pcap_dump_open(dead, argv[optind]);
		if (!dumper) {
			fprintf(stderr, "mkpcap: %s\n", pcap_geterr(dead));
			return 1;
		}
	}
	int encaps = link_type == DLT_EN10MB ? 5 : 2;
	all_types(encaps);
	for (int e = 0; e < encaps; e++)
		exchanges(nex, e, (uint16_t)(e * nex));
	if (ng)
		return pcapng_out_close(ng) ? 1 : 0;
	pcap_dump_close(dumper);
	pcap_close(dead);
	return 0;
}
