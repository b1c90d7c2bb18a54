/* The whole offline path: libpcap reading a pcap/pcapng image from memory, link/IP/UDP
 * decapsulation, the PTP decoder, and the pairer with its rings. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/exchange.h"
#include "capture/pcap_in.h"
#include "common/log.h"
#include "pcap_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_ex(void *ctx, const struct exchange *ex)
{
	(*(double *)ctx) += ex->offset_ns;
}

static void on_pd(void *ctx, const struct pdelay *pd)
{
	(*(double *)ctx) += pd->link_delay_ns;
}

struct each_ctx {
	struct pairer *pr;
	int n;
};

static bool each_packet(void *ctx, const struct ptp_packet *pkt)
{
	struct each_ctx *e = ctx;
	pairer_feed(e->pr, pkt);
	return ++e->n < 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		log_set_verbosity(-1);
		quiet = 1;
	}
	pcap_t *p = fuzz_pcap_open(data, size);
	if (!p)
		return 0;
	struct pcap_in *in = pcap_in_wrap(p, "fuzz");
	double sum = 0;
	struct pairer_opts o = { .any_direction = size & 1 };
	struct pairer *pr = pairer_new(&o, on_ex, on_pd, &sum);
	if (size & 2) { /* libpcap's own loop, as `ptpcal capture -r` reads */
		struct each_ctx e = { .pr = pr };
		pcap_in_each(in, each_packet, &e);
	} else { /* one record at a time, as the live capture and lab replay read */
		struct ptp_packet pkt;
		int n = 0;
		while (n++ < 100000 && pcap_in_next(in, &pkt) > 0)
			pairer_feed(pr, &pkt);
	}
	pairer_finish(pr);
	pairer_free(pr);
	pcap_in_close(in);
	return 0;
}
