/* pipeline/pmc_wire against bytes recorded from linuxptp 3.1.1: the requests its `pmc -u -b 0`
 * sends (captured on a socket standing in for ptp4l) and the answers the real ptp4l gave to
 * them, with the values linuxptp's pmc printed for those answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pmc_wire.h"
#include "tests/unit/testutil.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (h[0] && h[1] && n < cap) {
		unsigned v;
		ck_assert(sscanf(h, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

/* pmc -u -b 0 "GET PARENT_DATA_SET" (linuxptp 3.1.1): source clock identity zero, port number
 * = pmc's PID (0x6000, then 0x6001 for the second run), seq 0 */
static const char pmc_get_parent[] =
	"0d02005600000000000000000000000000000000000000000000000060000000047fffffffffffffffffffff"
	"000000000001002220020000000000000000000000000000000000000000000000000000000000000000";
static const char pmc_get_gm[] =
	"0d02003e00000000000000000000000000000000000000000000000060010000047fffffffffffffffffffff"
	"000000000001000ac0010000000000000000";
/* ptp4l 3.1.1 (a client, software timestamps) answering them */
static const char ptp4l_parent[] =
	"0d020056000000000000000000000000000000001a02fdfffee796e500000000047f000000000000000060"
	"00000002000001002220027ea511fffed48fbc00010000ffff7fffffff4006feffff807ea511fffed48fbc";
static const char ptp4l_gm[] =
	"0d02003e000000000000000000000000000000001a02fdfffee796e500000000047f000000000000000060"
	"01000002000001000ac001fffeffff002500a0";

START_TEST(requests_match_linuxptp_pmc)
{
	uint8_t want[512], got[512];
	struct pmc_request r = { .domain = 0, .boundary_hops = 0, .seq = 0, .action = PMC_GET,
				 .id = PMC_ID_PARENT_DATA_SET };
	memset(&r.source, 0, sizeof(r.source));
	r.source.port = 0x6000;
	size_t wl = unhex(pmc_get_parent, want, sizeof(want));
	size_t gl = pmc_encode(&r, got, sizeof(got));
	ck_assert_uint_eq(gl, wl);
	ck_assert_mem_eq(got, want, wl);
	r.id = PMC_ID_GRANDMASTER_SETTINGS_NP;
	r.source.port = 0x6001;
	wl = unhex(pmc_get_gm, want, sizeof(want));
	gl = pmc_encode(&r, got, sizeof(got));
	ck_assert_uint_eq(gl, wl);
	ck_assert_mem_eq(got, want, wl);
}
END_TEST

START_TEST(decode_ptp4l_answers)
{
	uint8_t buf[512];
	size_t n = unhex(ptp4l_parent, buf, sizeof(buf));
	struct pmc_response r;
	const char *why = NULL;
	ck_assert(pmc_decode(buf, n, &r, &why));
	ck_assert(!r.error);
	ck_assert_uint_eq(r.id, PMC_ID_PARENT_DATA_SET);
	ck_assert_uint_eq(r.action, PMC_RESPONSE);
	ck_assert_uint_eq(r.seq, 0);
	char pb[PTP_PORT_ID_STRLEN], cb[20];
	ck_assert_str_eq(ptp_port_id_str(&r.source, pb), "1a02fd.fffe.e796e5-0");
	struct pmc_parent_ds p;
	ck_assert(pmc_get_parent_ds(r.data, r.data_len, &p));
	/* what linuxptp's pmc printed for this answer */
	ck_assert_str_eq(ptp_port_id_str(&p.parent, pb), "7ea511.fffe.d48fbc-1");
	ck_assert_uint_eq(p.parent_stats, 0);
	ck_assert_uint_eq(p.observed_variance, 0xffff);
	ck_assert_uint_eq((uint32_t)p.observed_rate, 0x7fffffff);
	ck_assert_uint_eq(p.gm_priority1, 64);
	ck_assert_uint_eq(p.gm_quality.clock_class, 6);
	ck_assert_uint_eq(p.gm_quality.clock_accuracy, 0xfe);
	ck_assert_uint_eq(p.gm_quality.variance, 0xffff);
	ck_assert_uint_eq(p.gm_priority2, 128);
	ck_assert_str_eq(ptp_clock_id_str(p.gm_identity, cb), "7ea511.fffe.d48fbc");

	n = unhex(ptp4l_gm, buf, sizeof(buf));
	ck_assert(pmc_decode(buf, n, &r, &why));
	ck_assert_uint_eq(r.id, PMC_ID_GRANDMASTER_SETTINGS_NP);
	struct pmc_gm_settings g;
	ck_assert(pmc_get_gm_settings(r.data, r.data_len, &g));
	ck_assert_uint_eq(g.quality.clock_class, 255);
	ck_assert_uint_eq(g.quality.clock_accuracy, 0xfe);
	ck_assert_uint_eq(g.quality.variance, 0xffff);
	ck_assert_int_eq(g.utc_offset, 37);
	ck_assert_uint_eq(g.time_flags, 0);
	ck_assert_uint_eq(g.time_source, 0xa0);
	/* and back: the dataField re-encodes to the same bytes */
	uint8_t d[8];
	ck_assert_uint_eq(pmc_put_gm_settings(&g, d, sizeof(d)), 8);
	ck_assert_mem_eq(d, r.data, 8);
	/* the field list uses pmc's names */
	struct pmc_field f[16];
	int nf = pmc_fields(r.id, r.data, r.data_len, f, 16);
	ck_assert_int_eq(nf, 11);
	ck_assert_str_eq(f[0].name, "clockClass");
	ck_assert_str_eq(f[10].name, "timeSource");
}
END_TEST

START_TEST(decode_rejects)
{
	uint8_t buf[512];
	size_t n = unhex(ptp4l_parent, buf, sizeof(buf));
	struct pmc_response r;
	const char *why = NULL;
	/* every truncation is refused or yields a too-short dataset, never a crash */
	for (size_t l = 0; l < n; l++) {
		if (pmc_decode(buf, l, &r, &why)) {
			struct pmc_parent_ds p;
			ck_assert(r.data + r.data_len <= buf + l);
			(void)pmc_get_parent_ds(r.data, r.data_len, &p);
		}
	}
	/* a GET (request) is not an answer */
	n = unhex(pmc_get_parent, buf, sizeof(buf));
	ck_assert(!pmc_decode(buf, n, &r, &why));
	/* an error status: NOT_SUPPORTED for id 0x2002 */
	n = unhex(ptp4l_parent, buf, sizeof(buf));
	buf[2] = 0;
	buf[3] = 48 + 4 + 8;
	static const uint8_t err_tlv[] = { 0x00, 0x02, 0x00, 0x08, 0x00, 0x06, 0x20, 0x02, 0, 0, 0, 0 };
	memcpy(buf + 48, err_tlv, sizeof(err_tlv));
	ck_assert(pmc_decode(buf, 60, &r, &why));
	ck_assert(r.error);
	ck_assert_uint_eq(r.error_id, 6);
	ck_assert_uint_eq(r.id, PMC_ID_PARENT_DATA_SET);
	ck_assert_str_eq(pmc_error_name(r.error_id), "NOT_SUPPORTED");
}
END_TEST

START_TEST(names)
{
	ck_assert_int_eq(pmc_id_by_name("time_properties_data_set"), 0x2003);
	ck_assert_int_eq(pmc_id_by_name("PORT_DATA_SET"), 0x2004);
	ck_assert_int_eq(pmc_id_by_name("nope"), -1);
	/* linuxptp util.c ps_str */
	ck_assert_str_eq(pmc_port_state_name(9), "SLAVE");
	ck_assert_str_eq(pmc_port_state_name(6), "MASTER");
	ck_assert_str_eq(pmc_port_state_name(200), "NONE");
}
END_TEST

Suite *pmc_wire_suite(void)
{
	Suite *s = suite_create("pmc_wire");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, requests_match_linuxptp_pmc);
	tcase_add_test(tc, decode_ptp4l_answers);
	tcase_add_test(tc, decode_rejects);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	return s;
}
