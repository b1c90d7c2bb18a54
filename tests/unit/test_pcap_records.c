/* capture/pcap_records: every record it returns must be what libpcap returns for the same
 * file (libpcap is the truth), and it must hand every unusual record back to libpcap. */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcap_records.h"
#include "testutil.h"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	uint8_t *b = malloc(1 << 16);
	*len = fread(b, 1, 1 << 16, f);
	fclose(f);
	return b;
}

/* The file's bytes, which pcap_records must take (fmt->nsec set, snaplen left to the test). */
static uint8_t *load(const char *path, size_t *len, struct pcap_records_fmt *fmt)
{
	uint8_t *b = slurp(path, len);
	ck_assert(pcap_records_fmt_ok(b, *len, fmt));
	return b;
}

/* Walks the file with pcap_records and libpcap side by side; returns how the walk ended and
 * the number of records both returned alike. */
static enum pcap_record_rc walk(const char *path, int *nrec)
{
	size_t len;
	struct pcap_records_fmt fmt;
	uint8_t *b = load(path, &len, &fmt);
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	ck_assert_ptr_nonnull(p);
	fmt.snaplen = (uint32_t)pcap_snapshot(p);
	size_t at = PCAP_FILE_HDR_LEN;
	enum pcap_record_rc rc;
	*nrec = 0;
	for (;;) {
		struct pcap_pkthdr h, *lh;
		const uint8_t *d;
		const u_char *ld;
		size_t used;
		rc = pcap_record_next(b + at, len - at, &fmt, &h, &d, &used);
		if (rc != PCAP_RECORD_OK)
			break;
		ck_assert_int_eq(pcap_next_ex(p, &lh, &ld), 1);
		ck_assert_int_eq(h.ts.tv_sec, lh->ts.tv_sec);
		ck_assert_int_eq(h.ts.tv_usec, lh->ts.tv_usec);
		ck_assert_uint_eq(h.caplen, lh->caplen);
		ck_assert_uint_eq(h.len, lh->len);
		ck_assert_mem_eq(d, ld, h.caplen);
		at += used;
		(*nrec)++;
	}
	/* Where pcap_records stops, libpcap has either no record (end) or an error or an
	 * unusual record of its own to deal with. */
	if (rc == PCAP_RECORD_MORE && at == len)
		ck_assert_int_eq(pcap_next_ex(p, &(struct pcap_pkthdr *){ 0 }, &(const u_char *){ 0 }),
				 PCAP_ERROR_BREAK);
	pcap_close(p);
	free(b);
	return rc;
}

static const char *three_frames(int nano, int64_t t0)
{
	const char *path = tu_path(nano ? "three-ns.pcap" : "three-us.pcap");
	struct tu_pcap *w = tu_pcap_open(path, DLT_EN10MB, nano);
	uint8_t frame[90];
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7 + 1);
	tu_pcap_add(w, t0, frame, 60);
	tu_pcap_add(w, t0 + (nano ? 1000000123 : 1000000000), frame, 90);
	tu_pcap_add_trunc(w, t0 + 2000000000, frame, 64, 1514);
	tu_pcap_close(w);
	return path;
}

START_TEST(records_as_libpcap_returns_them)
{
	int n;
	/* Nanosecond and microsecond files (libpcap scales the latter); 2^31 s and later are
	 * negative seconds in the file's signed field, as libpcap reads them. */
	ck_assert_int_eq(walk(three_frames(1, 1700000000123456789LL), &n), PCAP_RECORD_MORE);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(walk(three_frames(0, 1700000000123456000LL), &n), PCAP_RECORD_MORE);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(walk(three_frames(1, 2200000000000000000LL), &n), PCAP_RECORD_MORE);
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(truth_from_the_writer)
{
	/* Independent of libpcap: the values written. */
	size_t len, used;
	struct pcap_records_fmt fmt;
	uint8_t *b = load(three_frames(0, 1700000000123456000LL), &len, &fmt);
	ck_assert(!fmt.nsec);
	fmt.snaplen = 65535;
	struct pcap_pkthdr h;
	const uint8_t *d;
	ck_assert_int_eq(pcap_record_next(b + 24, len - 24, &fmt, &h, &d, &used), PCAP_RECORD_OK);
	ck_assert_int_eq(h.ts.tv_sec, 1700000000);
	ck_assert_int_eq(h.ts.tv_usec, 123456000);
	ck_assert_uint_eq(h.caplen, 60);
	ck_assert_uint_eq(used, 76);
	ck_assert_uint_eq(d[1], 8);
	/* A record cut by the end of the buffer, header or data: read more. */
	ck_assert_int_eq(pcap_record_next(b + 24, 15, &fmt, &h, &d, &used), PCAP_RECORD_MORE);
	ck_assert_int_eq(pcap_record_next(b + 24, 75, &fmt, &h, &d, &used), PCAP_RECORD_MORE);
	free(b);
}
END_TEST

START_TEST(unusual_records_go_to_libpcap)
{
	size_t len, used;
	struct pcap_records_fmt fmt;
	uint8_t *b = load(three_frames(1, 1700000000123456789LL), &len, &fmt);
	struct pcap_pkthdr h;
	const uint8_t *d;
	/* caplen 60 above a snapshot length of 59; above 256 KiB whatever the snapshot. */
	fmt.snaplen = 59;
	ck_assert_int_eq(pcap_record_next(b + 24, len - 24, &fmt, &h, &d, &used), PCAP_RECORD_LIBPCAP);
	fmt.snaplen = 1u << 30;
	uint32_t big = 262145;
	memcpy(b + 24 + 8, &big, 4);
	ck_assert_int_eq(pcap_record_next(b + 24, len - 24, &fmt, &h, &d, &used), PCAP_RECORD_LIBPCAP);
	/* Files it does not take at all: byte-swapped, version 2.3, pcapng. */
	uint8_t hdr[24];
	memcpy(hdr, b, 24);
	uint8_t swapped[4] = { hdr[3], hdr[2], hdr[1], hdr[0] };
	memcpy(hdr, swapped, 4);
	ck_assert(!pcap_records_fmt_ok(hdr, 24, &fmt));
	memcpy(hdr, b, 24);
	hdr[6] = 3;
	ck_assert(!pcap_records_fmt_ok(hdr, 24, &fmt));
	static const uint8_t ng[24] = { 0x0a, 0x0d, 0x0d, 0x0a };
	ck_assert(!pcap_records_fmt_ok(ng, 24, &fmt));
	ck_assert(!pcap_records_fmt_ok(b, 23, &fmt));
	free(b);
}
END_TEST

Suite *pcap_records_suite(void)
{
	Suite *s = suite_create("pcap_records");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, records_as_libpcap_returns_them);
	tcase_add_test(tc, truth_from_the_writer);
	tcase_add_test(tc, unusual_records_go_to_libpcap);
	suite_add_tcase(s, tc);
	return s;
}
