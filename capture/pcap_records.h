/* Classic pcap records straight from a buffer: the fast path of `capture -r` on a regular
 * file. libpcap reads each record with two fread(3) calls, which cost more than decoding
 * and pairing the PTP message in it; this parser walks records in place in large blocks.
 * It accepts only what it reproduces exactly as libpcap 1.10 (sf-pcap.c pcap_next_packet)
 * would return it: native byte order, version 2.4, caplen within the snapshot length.
 * Anything else (swapped or old files, the patched "Kuznetzov" format, oversized or
 * truncated records) is left to libpcap, which reads it from that record on. */
#ifndef PTPCAL_PCAP_RECORDS_H
#define PTPCAL_PCAP_RECORDS_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16

struct pcap_records_fmt {
	bool nsec;        /* nanosecond file (else microseconds, scaled as libpcap does) */
	uint32_t snaplen; /* libpcap's, after its own adjustment: pcap_snapshot() */
};

/* True if the file header `hdr` (PCAP_FILE_HDR_LEN bytes) is one this parser handles;
 * sets fmt->nsec (the caller sets fmt->snaplen from libpcap). */
bool pcap_records_fmt_ok(const uint8_t *hdr, size_t len, struct pcap_records_fmt *fmt);

enum pcap_record_rc {
	PCAP_RECORD_OK,      /* *h and *data hold the record; *used bytes consumed */
	PCAP_RECORD_MORE,    /* the buffer ends inside the record: read more, or at end of
			      * file let libpcap report the truncation */
	PCAP_RECORD_LIBPCAP, /* a record libpcap treats specially: let it read from here */
};

/* The record at buf[0..len): timestamps in nanoseconds in h->ts.tv_usec, as libpcap opened
 * with PCAP_TSTAMP_PRECISION_NANO gives them. */
enum pcap_record_rc pcap_record_next(const uint8_t *buf, size_t len,
				     const struct pcap_records_fmt *fmt, struct pcap_pkthdr *h,
				     const uint8_t **data, size_t *used);

#endif
