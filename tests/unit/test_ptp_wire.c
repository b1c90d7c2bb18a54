#include <math.h>
#include <string.h>

#include "capture/message_io.h"
#include "capture/ptp_build.h"
#include "capture/ptp_wire.h"
#include "tests/unit/testutil.h"

/* Real frames captured from linuxptp 3.1.1 (ptp4l, L2, two-step) in the lab; the expected
 * values are what tshark 4.0.17's PTP dissector reports for the same bytes. */
static const uint8_t real_announce[] = {
	0x01, 0x1b, 0x19, 0x00, 0x00, 0x00, 0x0a, 0xa4, 0x35, 0xff, 0x70, 0xbb, 0x88, 0xf7,
	0x0b, 0x02, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xa4, 0x35, 0xff, 0xfe, 0xff, 0x70, 0xbb,
	0x00, 0x01, 0x00, 0x01, 0x05, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x25, 0x00, 0x40, 0x06, 0xfe, 0xff, 0xff, 0x80, 0x0a, 0xa4, 0x35,
	0xff, 0xfe, 0xff, 0x70, 0xbb, 0x00, 0x00, 0xa0,
};
static const uint8_t real_follow_up[] = {
	0x01, 0x1b, 0x19, 0x00, 0x00, 0x00, 0x0a, 0xa4, 0x35, 0xff, 0x70, 0xbb, 0x88, 0xf7,
	0x08, 0x02, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xa4, 0x35, 0xff, 0xfe, 0xff, 0x70, 0xbb,
	0x00, 0x01, 0x00, 0x00, 0x02, 0xfd, 0x00, 0x00, 0x6b, 0x06, 0x5a, 0xbc, 0x26, 0x1e,
	0xfe, 0x2f,
};
static const uint8_t real_sync[] = {
	0x01, 0x1b, 0x19, 0x00, 0x00, 0x00, 0x0a, 0xa4, 0x35, 0xff, 0x70, 0xbb, 0x88, 0xf7,
	0x00, 0x02, 0x00, 0x2c, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xa4, 0x35, 0xff, 0xfe, 0xff, 0x70, 0xbb,
	0x00, 0x01, 0x00, 0x01, 0x00, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};

START_TEST(real_linuxptp_messages)
{
	struct ptp_msg m;
	char b[PTP_PORT_ID_STRLEN], g[20];
	ck_assert_int_eq(ptp_decode(real_announce + 14, sizeof(real_announce) - 14, &m), MAL_NONE);
	ck_assert_int_eq(m.hdr.type, PTP_ANNOUNCE);
	ck_assert_int_eq(m.hdr.length, 64);
	ck_assert_int_eq(m.hdr.seq, 1);
	ck_assert_int_eq(m.hdr.log_interval, -2);
	ck_assert_int_eq(m.hdr.control, 5);
	ck_assert_str_eq(ptp_port_id_str(&m.hdr.source, b), "0aa435.fffe.ff70bb-1");
	ck_assert_int_eq(m.announce.utc_offset, 37);
	ck_assert_int_eq(m.announce.priority1, 64);
	ck_assert_int_eq(m.announce.clock_class, 6);
	ck_assert_int_eq(m.announce.clock_accuracy, 0xfe);
	ck_assert_int_eq(m.announce.variance, 0xffff);
	ck_assert_int_eq(m.announce.priority2, 128);
	ck_assert_str_eq(ptp_clock_id_str(m.announce.gm_identity, g), "0aa435.fffe.ff70bb");
	ck_assert_int_eq(m.announce.steps_removed, 0);
	ck_assert_int_eq(m.announce.time_source, 0xa0);
	ck_assert_int_eq(m.hdr.flags, 0); /* software timestamping: no PTP timescale */

	ck_assert_int_eq(ptp_decode(real_follow_up + 14, sizeof(real_follow_up) - 14, &m), MAL_NONE);
	ck_assert_int_eq(m.hdr.type, PTP_FOLLOW_UP);
	ck_assert_int_eq(m.hdr.seq, 0);
	ck_assert_int_eq(m.ts.sec, 1795578556);
	ck_assert_int_eq(m.ts.nsec, 639565359);
	ck_assert_int_eq(m.hdr.log_interval, -3);

	ck_assert_int_eq(ptp_decode(real_sync + 14, sizeof(real_sync) - 14, &m), MAL_NONE);
	ck_assert_int_eq(m.hdr.type, PTP_SYNC);
	ck_assert_int_eq(m.hdr.flags, PTP_FLAG_TWO_STEP);
	ck_assert_int_eq(m.hdr.seq, 1);

	/* Re-encoding reproduces the bytes exactly. */
	uint8_t out[128];
	ck_assert(ptp_decode(real_announce + 14, sizeof(real_announce) - 14, &m) == MAL_NONE);
	ck_assert_int_eq(ptp_encode(&m, out, sizeof(out)), 64);
	ck_assert(memcmp(out, real_announce + 14, 64) == 0);
	ck_assert(ptp_decode(real_follow_up + 14, 44, &m) == MAL_NONE);
	ck_assert_int_eq(ptp_encode(&m, out, sizeof(out)), 44);
	ck_assert(memcmp(out, real_follow_up + 14, 44) == 0);
}
END_TEST

/* Every message type: build with all fields set, decode, compare. */
START_TEST(every_type_round_trip)
{
	const enum ptp_type types[] = { PTP_SYNC, PTP_DELAY_REQ, PTP_PDELAY_REQ, PTP_PDELAY_RESP,
					PTP_FOLLOW_UP, PTP_DELAY_RESP, PTP_PDELAY_RESP_FUP,
					PTP_ANNOUNCE, PTP_SIGNALING, PTP_MANAGEMENT };
	const size_t lens[] = { 44, 44, 54, 54, 44, 54, 54, 64, 44, 48 };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct ptp_port_id src = tu_port(0x11, 3), req = tu_port(0x22, 65535);
		struct ptp_msg m, d;
		ptp_msg_init(&m, types[i], 127, &src, 65535);
		m.hdr.major_sdo_id = 1;
		m.hdr.minor_sdo_id = 0x42;
		m.hdr.minor_version = 1;
		m.hdr.flags = PTP_FLAG_TWO_STEP | PTP_FLAG_UNICAST | PTP_FLAG_LEAP61 |
			      PTP_FLAG_UTC_OFFSET_VALID | PTP_FLAG_PTP_TIMESCALE |
			      PTP_FLAG_TIME_TRACEABLE | PTP_FLAG_FREQ_TRACEABLE;
		m.hdr.correction = -((int64_t)123456 << 16) - 4321; /* negative, with sub-ns */
		m.hdr.type_specific = 0xdeadbeef;
		m.hdr.log_interval = -7;
		m.ts.sec = (UINT64_C(1) << 48) - 1; /* the full 48 bits */
		m.ts.nsec = 999999999;
		m.port2 = req;
		m.announce.utc_offset = -37;
		m.announce.priority1 = 1;
		m.announce.clock_class = 248;
		m.announce.clock_accuracy = 0x21;
		m.announce.variance = 0x4e5d;
		m.announce.priority2 = 254;
		memcpy(m.announce.gm_identity, "\x01\x02\x03\xff\xfe\x04\x05\x06", 8);
		m.announce.steps_removed = 3;
		m.announce.time_source = 0x20;
		m.mgmt.starting_hops = 2;
		m.mgmt.hops = 1;
		m.mgmt.action = 2;
		uint8_t buf[256];
		size_t n = ptp_encode(&m, buf, sizeof(buf));
		ck_assert_int_eq(n, lens[i]);
		ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_NONE);
		ck_assert_int_eq(d.hdr.type, types[i]);
		ck_assert_int_eq(d.hdr.major_sdo_id, 1);
		ck_assert_int_eq(d.hdr.minor_sdo_id, 0x42);
		ck_assert_int_eq(d.hdr.version, 2);
		ck_assert_int_eq(d.hdr.minor_version, 1);
		ck_assert_int_eq(d.hdr.length, lens[i]);
		ck_assert_int_eq(d.hdr.domain, 127);
		ck_assert_int_eq(d.hdr.flags, m.hdr.flags);
		ck_assert_int_eq(d.hdr.correction, m.hdr.correction);
		ck_assert_int_eq(d.hdr.type_specific, 0xdeadbeef);
		ck_assert(ptp_port_id_eq(&d.hdr.source, &src));
		ck_assert_int_eq(d.hdr.seq, 65535);
		ck_assert_int_eq(d.hdr.log_interval, -7);
		bool has_ts = types[i] != PTP_SIGNALING && types[i] != PTP_MANAGEMENT;
		ck_assert_int_eq(d.has_ts, has_ts);
		if (has_ts) {
			ck_assert(d.ts.sec == m.ts.sec);
			ck_assert_int_eq(d.ts.nsec, 999999999);
		}
		bool has_port2 = types[i] == PTP_DELAY_RESP || types[i] == PTP_PDELAY_RESP ||
				 types[i] == PTP_PDELAY_RESP_FUP || types[i] == PTP_SIGNALING ||
				 types[i] == PTP_MANAGEMENT;
		ck_assert_int_eq(d.has_port2, has_port2);
		if (has_port2)
			ck_assert(ptp_port_id_eq(&d.port2, &req));
		if (types[i] == PTP_ANNOUNCE)
			ck_assert(memcmp(&d.announce, &m.announce, sizeof(m.announce)) == 0);
		if (types[i] == PTP_MANAGEMENT) {
			ck_assert_int_eq(d.mgmt.starting_hops, 2);
			ck_assert_int_eq(d.mgmt.hops, 1);
			ck_assert_int_eq(d.mgmt.action, 2);
		}
		ck_assert_str_ne(ptp_type_name(types[i]), "reserved");
	}
}
END_TEST

START_TEST(tlvs_walked)
{
	struct ptp_port_id src = tu_port(1, 1);
	struct ptp_msg m, d;
	ptp_msg_init(&m, PTP_MANAGEMENT, 0, &src, 9);
	/* MANAGEMENT TLV (id 0x2000 TIME_PROPERTIES_DATA_SET, 4 data bytes), then a 6-byte
	 * organisation extension TLV, then 2 bytes of padding (ignored, as linuxptp does). */
	uint8_t tlvs[] = { 0x00, 0x01, 0x00, 0x06, 0x20, 0x00, 0x00, 0x25, 0x0c, 0xa0,
			   0x00, 0x03, 0x00, 0x06, 0x00, 0x1b, 0x19, 0x00, 0x00, 0x01,
			   0x00, 0x00 };
	m.tlvs = tlvs;
	m.tlvs_len = sizeof(tlvs);
	uint8_t buf[256];
	size_t n = ptp_encode(&m, buf, sizeof(buf));
	ck_assert_int_eq(n, 48 + sizeof(tlvs));
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_NONE);
	ck_assert_int_eq(d.tlv_count, 2);
	ck_assert_int_eq(d.mgmt.tlv_type, 1);
	ck_assert_int_eq(d.mgmt.id, 0x2000);
	ck_assert_int_eq(d.mgmt.data_len, 4);
	ck_assert_int_eq(d.mgmt.data[1], 0x25);
	uint16_t pos = 0, type, len;
	const uint8_t *val;
	ck_assert(ptp_tlv_next(&d, &pos, &type, &len, &val));
	ck_assert_int_eq(type, 1);
	ck_assert_int_eq(len, 6);
	ck_assert(ptp_tlv_next(&d, &pos, &type, &len, &val));
	ck_assert_int_eq(type, 3);
	ck_assert_int_eq(val[1], 0x1b);
	ck_assert(!ptp_tlv_next(&d, &pos, &type, &len, &val));
	char info[256];
	message_info(&d, info, sizeof(info));
	ck_assert_str_eq(info, "action GET tlv 0x0001 id 0x2000 hops 0/0 tlvs 2");

	/* An odd length and an overrun are malformed. */
	buf[48 + 3] = 5;
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_PTP_TLV);
	buf[48 + 3] = 60;
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_PTP_TLV);
}
END_TEST

START_TEST(malformed_messages)
{
	struct ptp_port_id src = tu_port(1, 1);
	struct ptp_msg m, d;
	uint8_t buf[128];
	ptp_msg_init(&m, PTP_FOLLOW_UP, 0, &src, 1);
	m.ts.sec = 10;
	m.ts.nsec = 5;
	size_t n = ptp_encode(&m, buf, sizeof(buf));
	ck_assert_int_eq(ptp_decode(buf, 33, &d), MAL_PTP_SHORT);
	ck_assert_int_eq(ptp_decode(buf, 43, &d), MAL_PTP_LENGTH); /* length 44, 43 present */
	buf[1] = 0x01;                                             /* PTPv1 */
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_PTP_VERSION);
	buf[1] = 0x02;
	buf[0] = 0x04; /* reserved type 4 */
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_PTP_TYPE);
	buf[0] = 0x08;
	wr16(buf + 2, 40); /* below the Follow_Up's 44 */
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_PTP_LENGTH);
	wr16(buf + 2, 44);
	wr32(buf + 40, 1000000000u); /* nanoseconds out of range */
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_PTP_TIMESTAMP);
	/* ... but a Delay_Req's originTimestamp is not used, so it may hold anything */
	buf[0] = 0x01;
	ck_assert_int_eq(ptp_decode(buf, n, &d), MAL_NONE);
	/* Ethernet padding beyond messageLength is fine */
	uint8_t padded[60] = { 0 };
	memcpy(padded, buf, n);
	ck_assert_int_eq(ptp_decode(padded, sizeof(padded), &d), MAL_NONE);
	ck_assert_int_eq(d.tlv_count, 0);
	ck_assert_int_eq(ptp_encode(&m, buf, 10), 0);
	m.hdr.type = 0x7;
	ck_assert_int_eq(ptp_encode(&m, buf, sizeof(buf)), 0);
	for (int mal = 0; mal < MAL_COUNT; mal++) {
		ck_assert_str_ne(malformed_name((enum malformed)mal), "?");
		ck_assert_str_ne(malformed_text((enum malformed)mal), "?");
	}
}
END_TEST

START_TEST(port_identity_text)
{
	struct ptp_port_id id;
	char b[PTP_PORT_ID_STRLEN];
	ck_assert(ptp_port_id_parse("001122.fffe.334455-1", &id));
	ck_assert_str_eq(ptp_port_id_str(&id, b), "001122.fffe.334455-1");
	ck_assert(ptp_port_id_parse("001122fffe334455-65535", &id));
	ck_assert_int_eq(id.port, 65535);
	ck_assert(!ptp_port_id_parse("001122.fffe.334455-65536", &id));
	ck_assert(!ptp_port_id_parse("001122.fffe.3344-1", &id));
	ck_assert(!ptp_port_id_parse("001122.fffe.334455", &id));
	ck_assert(!ptp_port_id_parse("001122.fffe.33445g-1", &id));
	ck_assert(!ptp_port_id_parse("001122.fffe.334455-", &id));
}
END_TEST

Suite *ptp_wire_suite(void)
{
	Suite *s = suite_create("ptp_wire");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, real_linuxptp_messages);
	tcase_add_test(tc, every_type_round_trip);
	tcase_add_test(tc, tlvs_walked);
	tcase_add_test(tc, malformed_messages);
	tcase_add_test(tc, port_identity_text);
	suite_add_tcase(s, tc);
	return s;
}
