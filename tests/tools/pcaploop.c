/* pcaploop: the bare libpcap read loop (open with nanosecond precision, pcap_next_ex over
 * every record, touch the data) — the floor that ptpcal's decode+pair is compared with. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		fprintf(stderr, "pcaploop: %s\n", ebuf);
		return 2;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long n = 0, sum = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		sum += d[h->caplen - 1];
	}
	pcap_close(p);
	printf("%lu packets (checksum %lu)\n", n, sum);
	return 0;
}
