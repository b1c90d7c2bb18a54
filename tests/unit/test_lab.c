/* The lab's building blocks against independent truths: the delay models' sample means and
 * spreads against the distributions' known moments; the spec parser on good and bad specs;
 * the UDP checksum after a correctionField rewrite against a checksum computed from scratch
 * here (RFC 768 / RFC 8200 pseudo-headers), for IPv4 and IPv6; the running statistics against
 * a direct computation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcap_in.h"
#include "lab/delay_model.h"
#include "lab/infile.h"
#include "lab/ptp_frame.h"
#include "lab/runstats.h"
#include "tests/unit/testutil.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void sample_moments(const char *spec, size_t n, double *mean, double *sd, double *median,
			   int *lost, int *reordered)
{
	struct delay_spec s;
	char err[256];
	ck_assert_msg(delay_spec_parse(spec, &s, err, sizeof(err)), "%s: %s", spec, err);
	struct delay_model m;
	ck_assert(delay_model_init(&m, &s, 42, err, sizeof(err)));
	double *v = malloc(n * sizeof(double));
	double sum = 0, sq = 0;
	*lost = *reordered = 0;
	for (size_t i = 0; i < n; i++) {
		struct delay_draw d;
		delay_model_draw(&m, &d);
		ck_assert_int_ge(d.delay_ns, 0);
		v[i] = (double)d.delay_ns;
		sum += v[i];
		*lost += d.lost;
		*reordered += d.reordered;
	}
	*mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - *mean) * (v[i] - *mean);
	*sd = sqrt(sq / (double)(n - 1));
	qsort(v, n, sizeof(double), cmp_double);
	*median = v[n / 2];
	free(v);
	delay_model_free(&m);
}

START_TEST(delay_distributions)
{
	double mean, sd, med;
	int lost, reo;
	const size_t n = 200000;
	/* constant */
	sample_moments("300us", n, &mean, &sd, &med, &lost, &reo);
	ck_assert_double_near(mean, 300000, 0);
	ck_assert_double_near(sd, 0, 0);
	/* uniform [0, 50 us]: mean 25 us, sd 50/sqrt(12) us */
	sample_moments("delay=100us,pdv=uniform:0:50us", n, &mean, &sd, &med, &lost, &reo);
	ck_assert_double_near(mean, 125000, 4 * 14434 / sqrt((double)n) + 1);
	ck_assert_double_near(sd, 50000 / sqrt(12.0), 200);
	/* normal sigma 10 us clipped symmetrically at 4 sigma: mean unchanged, sd ~ sigma */
	sample_moments("delay=200us,pdv=normal:10us", n, &mean, &sd, &med, &lost, &reo);
	ck_assert_double_near(mean, 200000, 4 * 10000 / sqrt((double)n));
	ck_assert_double_near(sd, 10000 * 0.99933, 150); /* truncated at 4 sigma */
	/* exponential mean 30 us: sd = mean, median = mean ln 2 (skewed) */
	sample_moments("delay=100us,pdv=exp:30us", n, &mean, &sd, &med, &lost, &reo);
	ck_assert_double_near(mean, 130000, 4 * 30000 / sqrt((double)n));
	ck_assert_double_near(sd, 30000, 400);
	ck_assert_double_near(med, 100000 + 30000 * log(2.0), 400);
	/* loss 5 %, reorder 2 % (binomial 4-sigma bounds) */
	sample_moments("delay=100us,loss=5%,reorder=0.02:1ms", n, &mean, &sd, &med, &lost, &reo);
	ck_assert_double_near(lost, 0.05 * n, 4 * sqrt(0.05 * 0.95 * n));
	ck_assert_double_near(reo, 0.02 * 0.95 * n, 4 * sqrt(0.019 * n));
}
END_TEST

START_TEST(delay_expected_mean)
{
	struct delay_spec s;
	struct delay_model m;
	char err[256];
	ck_assert(delay_spec_parse("delay=100us,pdv=uniform:-20us:60us,reorder=1%:500us", &s, err,
				   sizeof(err)));
	ck_assert(delay_model_init(&m, &s, 1, err, sizeof(err)));
	ck_assert_double_near(delay_model_mean_ns(&m), 120000, 1e-9);
	ck_assert_double_near(delay_model_expected_ns(&m), 125000, 1e-9);
	delay_model_free(&m);
	/* a trace, cycled, with units */
	const char *tp = tu_path("trace.txt");
	tu_write_file(tp, "# a trace\n1000\n2us\n\n  3000 \n");
	char spec[600];
	snprintf(spec, sizeof(spec), "delay=10us,pdv=trace:%s", tp);
	ck_assert_msg(delay_spec_parse(spec, &s, err, sizeof(err)), "%s", err);
	ck_assert_msg(delay_model_init(&m, &s, 1, err, sizeof(err)), "%s", err);
	ck_assert_double_near(delay_model_mean_ns(&m), 12000, 1e-9);
	int64_t want[] = { 11000, 12000, 13000, 11000 };
	for (int i = 0; i < 4; i++) {
		struct delay_draw d;
		delay_model_draw(&m, &d);
		ck_assert_int_eq(d.delay_ns, want[i]);
	}
	delay_model_free(&m);
	/* the text form reads back to the same spec */
	char buf[700];
	ck_assert(delay_spec_parse("delay=1ms,pdv=normal:20us,loss=0.5%,order=free", &s, err, sizeof(err)));
	delay_spec_format(&s, buf, sizeof(buf));
	struct delay_spec s2;
	ck_assert_msg(delay_spec_parse(buf, &s2, err, sizeof(err)), "%s: %s", buf, err);
	ck_assert_int_eq(s2.fixed_ns, 1000000);
	ck_assert_int_eq(s2.pdv, PDV_NORMAL);
	ck_assert_double_near(s2.a_ns, 20000, 0);
	ck_assert_double_near(s2.loss, 0.005, 1e-12);
	ck_assert(!s2.fifo);
	/* A loss just below 1 reads back exactly (printed as %.6g it was "loss=1", refused). */
	ck_assert(delay_spec_parse("loss=.9999999999", &s, err, sizeof(err)));
	delay_spec_format(&s, buf, sizeof(buf));
	ck_assert_msg(delay_spec_parse(buf, &s2, err, sizeof(err)), "%s: %s", buf, err);
	ck_assert(s2.loss == s.loss);
}
END_TEST

START_TEST(delay_bad_specs)
{
	static const char *const bad[] = {
		"", "abc", "-5us", "delay=", "delay=1us,pdv=normal:10us", /* needs 4 sigma */
		"pdv=uniform:5us", "pdv=uniform:9us:1us", "pdv=poisson:3", "loss=150%", "loss=1",
		"loss=x", "reorder=0.1:zz", "order=lifo", "300us,colour=blue", "300us,400us",
		"delay=11s", "pdv=trace:", "pdv=trace:/nonexistent/file", "pdv=exp:-3us",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct delay_spec s;
		char err[256] = "";
		bool ok = delay_spec_parse(bad[i], &s, err, sizeof(err));
		if (ok) { /* a trace file is only read at init */
			struct delay_model m;
			ok = delay_model_init(&m, &s, 1, err, sizeof(err));
			if (ok)
				delay_model_free(&m);
		}
		ck_assert_msg(!ok, "'%s' accepted", bad[i]);
		ck_assert_msg(err[0] && !strchr(err, '\n'), "'%s': no one-line reason", bad[i]);
	}
	const char *tp = tu_path("badtrace.txt");
	tu_write_file(tp, "100\nfoo\n");
	char spec[600];
	snprintf(spec, sizeof(spec), "pdv=trace:%s", tp);
	struct delay_spec s;
	struct delay_model m;
	char err[256];
	ck_assert(delay_spec_parse(spec, &s, err, sizeof(err)));
	ck_assert(!delay_model_init(&m, &s, 1, err, sizeof(err)));
	ck_assert_msg(strstr(err, ":2:"), "no line number in '%s'", err);
}
END_TEST

/* An independent UDP checksum: pseudo-header words summed here from the frame's bytes. */
static uint16_t ref_checksum(const uint8_t *f, size_t ip_off, bool v6)
{
	size_t udp = v6 ? ip_off + 40 : ip_off + (size_t)(f[ip_off] & 15) * 4;
	size_t ulen = (size_t)(f[udp + 4] << 8 | f[udp + 5]);
	uint64_t acc = 0;
	const uint8_t *src = v6 ? f + ip_off + 8 : f + ip_off + 12;
	size_t alen = v6 ? 32 : 8;
	for (size_t i = 0; i < alen; i += 2)
		acc += (uint64_t)(src[i] << 8 | src[i + 1]);
	acc += 17 + ulen;
	for (size_t i = 0; i < ulen; i += 2) {
		if (i == 6)
			continue;
		acc += (uint64_t)(f[udp + i] << 8 | (i + 1 < ulen ? f[udp + i + 1] : 0));
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint16_t c = (uint16_t)~acc;
	return c ? c : 0xffff;
}

static size_t build_sync(uint8_t *ptp)
{
	struct ptp_msg m;
	struct ptp_port_id src = tu_port(7, 1);
	ptp_msg_init(&m, PTP_SYNC, 0, &src, 1234);
	m.hdr.flags = PTP_FLAG_TWO_STEP;
	m.hdr.correction = 0x123456789LL;
	return ptp_encode(&m, ptp, 128);
}

START_TEST(udp_checksum_after_rewrite)
{
	uint8_t ptp[128], frame[256];
	size_t plen = build_sync(ptp);
	for (int v6 = 0; v6 < 2; v6++) {
		size_t flen = v6 ? tu_udp6(frame, ptp, plen, 319, 0) : tu_udp4(frame, ptp, plen, 319);
		struct ptp_loc loc;
		ck_assert(ptp_frame_locate(frame, flen, &loc));
		ck_assert_int_eq(loc.encap, v6 ? ENCAP_UDP6 : ENCAP_UDP4);
		size_t ip_off = loc.ip_off;
		/* start from a right checksum, then rewrite: it must stay right */
		ptp_frame_udp_checksum_fill(frame, flen, &loc);
		uint16_t ck = (uint16_t)(frame[loc.udp_off + 6] << 8 | frame[loc.udp_off + 7]);
		ck_assert_uint_eq(ck, ref_checksum(frame, ip_off, v6));
		int64_t deltas[] = { 1, -1, 65536LL * 123456, -(65536LL * 999999), INT64_C(0x7fff0000) };
		for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
			int64_t before = loc.msg.hdr.correction;
			ptp_frame_add_correction(frame, &loc, deltas[i]);
			struct ptp_loc again;
			ck_assert(ptp_frame_locate(frame, flen, &again));
			ck_assert_int_eq(again.msg.hdr.correction, before + deltas[i]);
			ck_assert_int_eq(again.msg.hdr.seq, 1234);
			ck = (uint16_t)(frame[loc.udp_off + 6] << 8 | frame[loc.udp_off + 7]);
			ck_assert_uint_eq(ck, ref_checksum(frame, ip_off, v6));
		}
		ptp_frame_set_flags(frame, &loc, 0);
		ck = (uint16_t)(frame[loc.udp_off + 6] << 8 | frame[loc.udp_off + 7]);
		ck_assert_uint_eq(ck, ref_checksum(frame, ip_off, v6));
		if (!v6) {
			/* IPv4 without a checksum (0): stays without */
			frame[loc.udp_off + 6] = frame[loc.udp_off + 7] = 0;
			ptp_frame_add_correction(frame, &loc, 77);
			ck_assert_uint_eq(frame[loc.udp_off + 6] | frame[loc.udp_off + 7], 0);
		}
	}
	/* L2 with a VLAN tag: the correction lands, nothing else changes */
	uint16_t vl = 5;
	size_t flen = tu_eth(frame, ptp, plen, &vl, 1, 0x8100);
	uint8_t copy[256];
	memcpy(copy, frame, flen);
	struct ptp_loc loc;
	ck_assert(ptp_frame_locate(frame, flen, &loc));
	ptp_frame_add_correction(frame, &loc, 65536);
	size_t diff = 0;
	for (size_t i = 0; i < flen; i++)
		diff += frame[i] != copy[i];
	ck_assert_uint_le(diff, 8);
	ck_assert(ptp_frame_locate(frame, flen, &loc));
	ck_assert_int_eq(loc.msg.hdr.correction, 0x123456789LL + 65536);
}
END_TEST

START_TEST(runstats_matches_direct)
{
	struct runstats s = { 0 };
	double sum = 0, v[1001];
	for (int i = 0; i <= 1000; i++) {
		v[i] = (i * 7919 % 1001) * 100.0 - 20000; /* -20 us .. +80 us, a permutation */
		runstats_add(&s, v[i]);
		sum += v[i];
	}
	double mean = sum / 1001, sq = 0;
	for (int i = 0; i <= 1000; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	ck_assert_double_near(s.mean, mean, 1e-6);
	ck_assert_double_near(runstats_std(&s), sqrt(sq / 1000), 1e-6);
	ck_assert_double_near(s.min, -20000, 0);
	ck_assert_double_near(s.max, 80000, 0);
	ck_assert_double_near(runstats_pct(&s, 50), 30000, RS_BIN_NS);
	ck_assert_double_near(runstats_pct(&s, 99), 79000, RS_BIN_NS);
	runstats_free(&s);
}
END_TEST

/* Packets infile_open_pcap() delivers from path, -1 when it refuses the file. */
static int pcap_count(const char *path)
{
	struct infile f;
	struct pcap_in *in = infile_open_pcap(&f, path);
	if (!in) {
		ck_assert_int_eq(f.fd, -1); /* closed again: no pipe or child left behind */
		ck_assert_int_eq(f.pid, 0);
		return -1;
	}
	struct ptp_packet pkt;
	int n = 0;
	while (pcap_in_next(in, &pkt) > 0)
		n++;
	pcap_in_close(in);
	ck_assert_int_eq(infile_close(&f, path), 0);
	return n;
}

START_TEST(infile_pcap_plain_and_compressed)
{
	const char *plain = tu_path("three.pcap");
	struct tu_pcap *pc = tu_pcap_open(plain, DLT_EN10MB, 1);
	struct ptp_port_id src = tu_port(1, 1);
	for (uint16_t seq = 0; seq < 3; seq++) {
		struct ptp_msg m;
		ptp_msg_init(&m, PTP_SYNC, 0, &src, seq);
		uint8_t ptp[128], fr[256];
		size_t n = ptp_encode(&m, ptp, sizeof(ptp));
		tu_pcap_add(pc, 1000 + seq, fr, tu_eth(fr, ptp, n, NULL, 0, 0));
	}
	tu_pcap_close(pc);
	ck_assert_int_eq(pcap_count(plain), 3);
	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "xz -k -c '%s' > '%s.xz'", plain, plain);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.xz", plain);
	ck_assert_int_eq(pcap_count(cmd), 3);
	/* refused: a missing file, a text file, and a compressed text file */
	ck_assert_int_eq(pcap_count(tu_path("absent.pcap")), -1);
	const char *text = tu_path("notes.pcap");
	tu_write_file(text, "not a capture\n");
	ck_assert_int_eq(pcap_count(text), -1);
	snprintf(cmd, sizeof(cmd), "xz -k -c '%s' > '%s.xz'", text, text);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.xz", text);
	ck_assert_int_eq(pcap_count(cmd), -1);
}
END_TEST

Suite *lab_suite(void)
{
	Suite *s = suite_create("lab");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, delay_distributions);
	tcase_add_test(tc, delay_expected_mean);
	tcase_add_test(tc, delay_bad_specs);
	tcase_add_test(tc, udp_checksum_after_rewrite);
	tcase_add_test(tc, runstats_matches_direct);
	tcase_add_test(tc, infile_pcap_plain_and_compressed);
	suite_add_tcase(s, tc);
	return s;
}
