/* pcapinject: sends the frames of a capture out of an interface at a fixed rate (frames per
 * second), once through, for live-capture benchmarks in the lab namespaces.
 *
 *   pcapinject IFACE FILE RATE */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: pcapinject IFACE FILE RATE\n");
		return 2;
	}
	double rate = atof(argv[3]);
	if (!(rate > 0)) {
		fprintf(stderr, "pcapinject: bad rate %s\n", argv[3]);
		return 2;
	}
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *in = pcap_open_offline(argv[2], ebuf);
	if (!in) {
		fprintf(stderr, "pcapinject: %s\n", ebuf);
		return 2;
	}
	pcap_t *out = pcap_open_live(argv[1], 65535, 0, 100, ebuf);
	if (!out) {
		fprintf(stderr, "pcapinject: %s\n", ebuf);
		return 2;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	static u_char buf[65536];
	long long start = now_ns(), n = 0, shift = 0;
	int have_shift = 0;
	double period = 1e9 / rate;
	while (pcap_next_ex(in, &h, &d) == 1) {
		long long due = start + (long long)(n * period);
		long long wait = due - now_ns();
		if (wait > 0) {
			struct timespec ts = { wait / 1000000000LL, wait % 1000000000LL };
			nanosleep(&ts, NULL);
		}
		size_t len = h->caplen < sizeof(buf) ? h->caplen : sizeof(buf);
		memcpy(buf, d, len);
		size_t et = 12; /* past 802.1Q / 802.1ad tags */
		while (et + 4 <= len && ((buf[et] == 0x81 && buf[et + 1] == 0x00) ||
					 (buf[et] == 0x88 && buf[et + 1] == 0xa8)))
			et += 4;
		if (len >= et + 2 + 44 && buf[et] == 0x88 && buf[et + 1] == 0xf7) {
			u_char *t = buf + et + 2 + 34;
			long long sec = 0;
			for (int i = 0; i < 6; i++)
				sec = sec << 8 | t[i];
			if (sec) {
				if (!have_shift) {
					struct timespec rt;
					clock_gettime(CLOCK_REALTIME, &rt);
					shift = rt.tv_sec - sec;
					have_shift = 1;
				}
				sec += shift;
				for (int i = 5; i >= 0; i--, sec >>= 8)
					t[i] = (u_char)sec;
			}
		}
		if (pcap_inject(out, buf, len) < 0) {
			fprintf(stderr, "pcapinject: %s\n", pcap_geterr(out));
			return 1;
		}
		n++;
	}
	printf("%lld frames sent\n", n);
	pcap_close(out);
	pcap_close(in);
	return 0;
}
