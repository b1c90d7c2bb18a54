/* capture/pcap_records against libpcap on the same bytes: every record the fast parser
 * returns must equal libpcap's (header fields and data), and where it stops, libpcap must
 * not have skipped anything it returned. Aborts on a difference. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcap_records.h"
#include "pcap_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_records_fmt fmt;
	if (!pcap_records_fmt_ok(data, size, &fmt))
		return 0;
	pcap_t *p = fuzz_pcap_open(data, size);
	if (!p)
		return 0;
	fmt.snaplen = (uint32_t)pcap_snapshot(p);
	size_t at = PCAP_FILE_HDR_LEN;
	for (int n = 0; n < 100000; n++) {
		struct pcap_pkthdr h, *lh;
		const uint8_t *d;
		const u_char *ld;
		size_t used;
		if (pcap_record_next(data + at, size - at, &fmt, &h, &d, &used) != PCAP_RECORD_OK)
			break;
		if (used > size - at || pcap_next_ex(p, &lh, &ld) != 1 ||
		    h.ts.tv_sec != lh->ts.tv_sec || h.ts.tv_usec != lh->ts.tv_usec ||
		    h.caplen != lh->caplen || h.len != lh->len || memcmp(d, ld, h.caplen) != 0)
			abort();
		at += used;
	}
	pcap_close(p);
	return 0;
}
