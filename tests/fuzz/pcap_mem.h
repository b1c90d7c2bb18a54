/* For fuzz targets that read their input as a pcap/pcapng file with libpcap: a handle on the
 * bytes in memory (nanosecond timestamps, as ptpcal opens files), or NULL if libpcap refuses
 * them. pcap_close() frees it. Included by the targets that use it. */
#ifndef PTPCAL_FUZZ_PCAP_MEM_H
#define PTPCAL_FUZZ_PCAP_MEM_H

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

static pcap_t *fuzz_pcap_open(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return NULL;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p)
		fclose(f);
	return p; /* pcap_close() closes f */
}

#endif
