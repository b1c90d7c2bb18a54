#include <string.h>

#include "capture/pcap_records.h"

/* Magic numbers as read in the host's byte order: a swapped file does not match and goes to
 * libpcap (which also byte-swaps some link layers' pseudo-headers, pcap-util.c). */
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du

static uint32_t host_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

bool pcap_records_fmt_ok(const uint8_t *hdr, size_t len, struct pcap_records_fmt *fmt)
{
	if (len < PCAP_FILE_HDR_LEN)
		return false;
	uint32_t magic = host_u32(hdr);
	uint16_t major, minor;
	memcpy(&major, hdr + 4, 2);
	memcpy(&minor, hdr + 6, 2);
	/* 2.4 only: libpcap swaps caplen and len in older versions (sf-pcap.c lengths_swapped). */
	if ((magic != MAGIC_USEC && magic != MAGIC_NSEC) || major != 2 || minor != 4)
		return false;
	fmt->nsec = magic == MAGIC_NSEC;
	return true;
}

enum pcap_record_rc pcap_record_next(const uint8_t *buf, size_t len,
				     const struct pcap_records_fmt *fmt, struct pcap_pkthdr *h,
				     const uint8_t **data, size_t *used)
{
	if (len < PCAP_REC_HDR_LEN)
		return PCAP_RECORD_MORE;
	uint32_t caplen = host_u32(buf + 8);
	/* Above the snapshot length, or above 256 KiB (libpcap's smallest per-link maximum,
	 * max_snaplen_for_dlt), libpcap reports an error or cuts the record: its call. */
	if (caplen > fmt->snaplen || caplen > 262144)
		return PCAP_RECORD_LIBPCAP;
	if (len - PCAP_REC_HDR_LEN < caplen)
		return PCAP_RECORD_MORE;
	/* The file's fields are signed 32-bit (struct pcap_timeval in sf-pcap.c), widened as
	 * libpcap widens them; microseconds scaled up as its SCALE_UP does. */
	int32_t sec = (int32_t)host_u32(buf), frac = (int32_t)host_u32(buf + 4);
	h->ts.tv_sec = sec;
	h->ts.tv_usec = fmt->nsec ? frac : (suseconds_t)frac * 1000;
	h->caplen = caplen;
	h->len = host_u32(buf + 12);
	*data = buf + PCAP_REC_HDR_LEN;
	*used = PCAP_REC_HDR_LEN + (size_t)caplen;
	return PCAP_RECORD_OK;
}
