/* pcaprepeat: builds a long capture from a short real one by repeating it end to end. Each
 * copy is shifted in time by the span of the original (plus one message interval), in the
 * capture timestamps AND in the PTP timestamps carried in the messages, and its sequenceIds
 * are shifted so that the copies read as one continuous run. Ethernet (L2 PTP) only.
 *
 *   pcaprepeat IN.pcap OUT.pcap MIN_PACKETS */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/frame.h"
#include "capture/ptp_build.h"
#include "capture/ptp_wire.h"

struct pkt {
	struct pcap_pkthdr h;
	unsigned char *data;
};

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: pcaprepeat IN.pcap OUT.pcap MIN_PACKETS\n");
		return 2;
	}
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *in = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!in) {
		fprintf(stderr, "pcaprepeat: %s\n", ebuf);
		return 2;
	}
	size_t n = 0, cap = 1024;
	struct pkt *p = malloc(sizeof(*p) * cap);
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(in, &h, &d) == 1) {
		if (n == cap)
			p = realloc(p, sizeof(*p) * (cap *= 2));
		p[n].h = *h;
		p[n].data = malloc(h->caplen);
		memcpy(p[n].data, d, h->caplen);
		n++;
	}
	int dlt = pcap_datalink(in);
	pcap_close(in);
	if (n < 2) {
		fprintf(stderr, "pcaprepeat: need at least 2 packets\n");
		return 2;
	}
	int64_t t0 = (int64_t)p[0].h.ts.tv_sec * 1000000000 + p[0].h.ts.tv_usec;
	int64_t t1 = (int64_t)p[n - 1].h.ts.tv_sec * 1000000000 + p[n - 1].h.ts.tv_usec;
	/* whole seconds keep the nanosecond fields of the PTP timestamps unchanged */
	int64_t span_s = (t1 - t0) / 1000000000 + 1;
	long want = atol(argv[3]);
	long copies = (want + (long)n - 1) / (long)n;
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *out = pcap_dump_open(dead, argv[2]);
	if (!out) {
		fprintf(stderr, "pcaprepeat: %s\n", pcap_geterr(dead));
		return 2;
	}
	/* The largest sequenceId per message stream is at most n: shift by a multiple of 4096. */
	uint16_t seq_step = (uint16_t)((n / 4096 + 1) * 4096);
	unsigned char buf[65536];
	for (long k = 0; k < copies; k++) {
		for (size_t i = 0; i < n; i++) {
			struct pcap_pkthdr hh = p[i].h;
			hh.ts.tv_sec += (time_t)(k * span_s);
			memcpy(buf, p[i].data, hh.caplen);
			struct frame_info fi;
			enum malformed why;
			if (frame_decode(dlt, buf, hh.caplen, hh.len, &fi, &why) == FRAME_PTP &&
			    fi.ptp_len >= PTP_HEADER_LEN) {
				unsigned char *m = buf + (fi.ptp - buf);
				wr16(m + 30, (uint16_t)(rd16(m + 30) + (uint16_t)(k * seq_step)));
				struct ptp_msg msg;
				if (ptp_decode(m, fi.ptp_len, &msg) == MAL_NONE && msg.has_ts &&
				    msg.ts.sec > 0)
					wr48(m + 34, msg.ts.sec + (uint64_t)(k * span_s));
			}
			pcap_dump((u_char *)out, &hh, buf);
		}
	}
	pcap_dump_close(out);
	pcap_close(dead);
	printf("pcaprepeat: %ld packets (%ld copies of %zu)\n", copies * (long)n, copies, n);
	return 0;
}
