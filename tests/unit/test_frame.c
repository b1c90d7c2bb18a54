#include <pcap/dlt.h>
#include <string.h>

#include "capture/frame.h"
#include "capture/ptp_build.h"
#include "tests/unit/testutil.h"

static size_t sync_msg(uint8_t *buf)
{
	struct ptp_port_id src = tu_port(1, 1);
	struct ptp_msg m;
	ptp_msg_init(&m, PTP_SYNC, 0, &src, 77);
	return ptp_encode(&m, buf, 128);
}

static void expect_ptp(int dlt, const uint8_t *f, size_t n, enum frame_encap encap, int nvlan,
		       enum frame_dir dir)
{
	struct frame_info fi;
	enum malformed why;
	ck_assert_int_eq(frame_decode(dlt, f, n, n, &fi, &why), FRAME_PTP);
	ck_assert_int_eq(fi.encap, encap);
	ck_assert_int_eq(fi.nvlan, nvlan);
	ck_assert_int_eq(fi.dir, dir);
	ck_assert_int_eq(fi.ptp_len, 44);
	ck_assert_int_eq(fi.ptp[31], 77); /* sequenceId low byte */
}

START_TEST(encapsulations)
{
	uint8_t ptp[128], f[256];
	size_t pl = sync_msg(ptp);
	expect_ptp(DLT_EN10MB, f, tu_eth(f, ptp, pl, NULL, 0, 0), ENCAP_L2, 0, DIR_UNKNOWN);
	uint16_t v1[] = { 100 }, v2[] = { 200, 300 };
	expect_ptp(DLT_EN10MB, f, tu_eth(f, ptp, pl, v1, 1, 0x8100), ENCAP_L2, 1, DIR_UNKNOWN);
	size_t n = tu_eth(f, ptp, pl, v2, 2, 0x88A8); /* 802.1ad outer, 802.1Q inner */
	struct frame_info fi;
	enum malformed why;
	ck_assert_int_eq(frame_decode(DLT_EN10MB, f, n, n, &fi, &why), FRAME_PTP);
	ck_assert_int_eq(fi.nvlan, 2);
	ck_assert_int_eq(fi.vlan[0], 200);
	ck_assert_int_eq(fi.vlan[1], 300);
	expect_ptp(DLT_EN10MB, f, tu_udp4(f, ptp, pl, 319), ENCAP_UDP4, 0, DIR_UNKNOWN);
	expect_ptp(DLT_EN10MB, f, tu_udp4(f, ptp, pl, 320), ENCAP_UDP4, 0, DIR_UNKNOWN);
	expect_ptp(DLT_EN10MB, f, tu_udp6(f, ptp, pl, 319, 0), ENCAP_UDP6, 0, DIR_UNKNOWN);
	expect_ptp(DLT_EN10MB, f, tu_udp6(f, ptp, pl, 319, 1), ENCAP_UDP6, 0, DIR_UNKNOWN);
	expect_ptp(DLT_LINUX_SLL, f, tu_sll(f, ptp, pl, 4), ENCAP_L2, 0, DIR_OUT);
	expect_ptp(DLT_LINUX_SLL, f, tu_sll(f, ptp, pl, 2), ENCAP_L2, 0, DIR_IN);
	expect_ptp(DLT_LINUX_SLL2, f, tu_sll2(f, ptp, pl, 4), ENCAP_L2, 0, DIR_OUT);
	expect_ptp(DLT_LINUX_SLL2, f, tu_sll2(f, ptp, pl, 0), ENCAP_L2, 0, DIR_IN);
	/* raw IP: the IPv4 packet without its Ethernet header */
	n = tu_udp4(f, ptp, pl, 319);
	expect_ptp(DLT_RAW, f + 14, n - 14, ENCAP_UDP4, 0, DIR_UNKNOWN);
	/* IPv4 with a 4-byte option (IHL 6) */
	uint8_t g[256];
	memcpy(g, f, 14 + 20);
	g[14] = 0x46;
	wr16(g + 16, (uint16_t)(24 + 8 + pl));
	memset(g + 34, 1, 4); /* NOP options */
	memcpy(g + 38, f + 34, 8 + pl);
	expect_ptp(DLT_EN10MB, g, n + 4, ENCAP_UDP4, 0, DIR_UNKNOWN);
	/* trailing Ethernet padding after the IP datagram is ignored */
	memset(f + n, 0xaa, 20);
	expect_ptp(DLT_EN10MB, f, n + 20, ENCAP_UDP4, 0, DIR_UNKNOWN);
}
END_TEST

START_TEST(not_ptp)
{
	uint8_t ptp[128], f[256];
	size_t pl = sync_msg(ptp);
	struct frame_info fi;
	enum malformed why;
	size_t n = tu_udp4(f, ptp, pl, 123); /* NTP */
	ck_assert_int_eq(frame_decode(DLT_EN10MB, f, n, n, &fi, &why), FRAME_OTHER);
	n = tu_eth(f, ptp, pl, NULL, 0, 0);
	wr16(f + 12, 0x0806); /* ARP */
	ck_assert_int_eq(frame_decode(DLT_EN10MB, f, n, n, &fi, &why), FRAME_OTHER);
	wr16(f + 12, 0x0040); /* 802.3 length */
	ck_assert_int_eq(frame_decode(DLT_EN10MB, f, n, n, &fi, &why), FRAME_OTHER);
	n = tu_udp4(f, ptp, pl, 319);
	f[14 + 9] = 6; /* TCP */
	ck_assert_int_eq(frame_decode(DLT_EN10MB, f, n, n, &fi, &why), FRAME_OTHER);
	ck_assert(frame_dlt_supported(DLT_EN10MB));
	ck_assert(!frame_dlt_supported(DLT_IEEE802_11));
}
END_TEST

static enum malformed decode_mal(int dlt, const uint8_t *f, size_t caplen, size_t wirelen)
{
	struct frame_info fi;
	enum malformed why = MAL_NONE;
	ck_assert_int_eq(frame_decode(dlt, f, caplen, wirelen, &fi, &why), FRAME_MALFORMED);
	return why;
}

START_TEST(malformed_frames)
{
	uint8_t ptp[128], f[256];
	size_t pl = sync_msg(ptp);
	size_t n = tu_eth(f, ptp, pl, NULL, 0, 0);
	ck_assert_int_eq(decode_mal(DLT_EN10MB, f, 10, 10), MAL_LINK_SHORT);
	ck_assert_int_eq(decode_mal(DLT_EN10MB, f, 10, n), MAL_SNAPLEN);
	ck_assert_int_eq(decode_mal(DLT_LINUX_SLL, f, 12, 12), MAL_LINK_SHORT);
	ck_assert_int_eq(decode_mal(DLT_IEEE802_11, f, n, n), MAL_LINK_TYPE);
	uint16_t v5[] = { 1, 2, 3, 4, 5 };
	n = tu_eth(f, ptp, pl, v5, 5, 0);
	ck_assert_int_eq(decode_mal(DLT_EN10MB, f, n, n), MAL_VLAN_DEPTH);
	n = tu_udp4(f, ptp, pl, 319);
	ck_assert_int_eq(decode_mal(DLT_EN10MB, f, 14 + 10, 14 + 10), MAL_IP_SHORT);
	uint8_t g[256];
	memcpy(g, f, n);
	g[14] = 0x44; /* IHL 4 < 5 */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_IP_HEADER);
	memcpy(g, f, n);
	wr16(g + 14 + 2, 2000); /* total length beyond the frame */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_IP_HEADER);
	memcpy(g, f, n);
	wr16(g + 14 + 6, 0x2000); /* more fragments */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_IP_FRAGMENT);
	memcpy(g, f, n);
	wr16(g + 34 + 4, 4); /* UDP length < 8 */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_UDP_LENGTH);
	memcpy(g, f, n);
	wr16(g + 34 + 4, 200); /* UDP length beyond the IP payload */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_UDP_LENGTH);
	n = tu_udp6(f, ptp, pl, 319, 1);
	memcpy(g, f, n);
	g[14 + 40 + 1] = 20; /* hop-by-hop length beyond the payload */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_IP6_EXT);
	memcpy(g, f, n);
	g[14 + 6] = 44; /* fragment header */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_IP_FRAGMENT);
	memcpy(g, f, n);
	g[14] = 0x50; /* version 5 in an IPv6 ethertype */
	ck_assert_int_eq(decode_mal(DLT_EN10MB, g, n, n), MAL_IP_HEADER);
	ck_assert_int_eq(decode_mal(DLT_RAW, g + 14, 0, 0), MAL_IP_SHORT);
}
END_TEST

START_TEST(snaplen_cut)
{
	/* A frame cut by the snapshot length decodes as far as it goes: the PTP message is then
	 * short, which the packet source reports as a snaplen problem, not a bad sender. */
	uint8_t ptp[128], f[256];
	size_t pl = sync_msg(ptp);
	size_t n = tu_udp4(f, ptp, pl, 319);
	struct frame_info fi;
	enum malformed why;
	ck_assert_int_eq(frame_decode(DLT_EN10MB, f, n - 10, n, &fi, &why), FRAME_PTP);
	ck_assert(fi.truncated);
	ck_assert_int_eq(fi.ptp_len, pl - 10);
	ck_assert_int_eq(decode_mal(DLT_EN10MB, f, 14 + 10, n), MAL_SNAPLEN);
}
END_TEST

Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, encapsulations);
	tcase_add_test(tc, not_ptp);
	tcase_add_test(tc, malformed_frames);
	tcase_add_test(tc, snaplen_cut);
	suite_add_tcase(s, tc);
	return s;
}
