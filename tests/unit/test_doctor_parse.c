/* The parsers doctor relies on: ethtool -T / -c output (ethtool 6.1 netlink form, with the
 * kernel's filter labels from net/ethtool/common.c ts_rx_filter_labels, and the older ioctl
 * form "label (HWTSTAMP_FILTER_...)"), linuxptp's filter choice (sk.c), and ptp4l.conf lines
 * with their numbers. */
#include <stdlib.h>
#include <string.h>

#include "pipeline/ethtool_parse.h"
#include "pipeline/ptp4l_conf_scan.h"
#include "tests/unit/testutil.h"

/* `ethtool -T lo` on this Debian 12 host (ethtool 6.1) */
static const char lo_ts[] = "Time stamping parameters for lo:\n"
			    "Capabilities:\n"
			    "\tsoftware-transmit\n"
			    "\tsoftware-receive\n"
			    "\tsoftware-system-clock\n"
			    "PTP Hardware Clock: none\n"
			    "Hardware Transmit Timestamp Modes: none\n"
			    "Hardware Receive Filter Modes: none\n";

/* a NIC with a PHC that time-stamps only UDP PTP (netlink form) */
static const char l4_ts[] = "Time stamping parameters for eth0:\n"
			    "Capabilities:\n"
			    "\thardware-transmit\n"
			    "\thardware-receive\n"
			    "\thardware-raw-clock\n"
			    "PTP Hardware Clock: 0\n"
			    "Hardware Transmit Timestamp Modes:\n"
			    "\toff\n"
			    "\ton\n"
			    "Hardware Receive Filter Modes:\n"
			    "\tnone\n"
			    "\tptpv1-l4-event\n"
			    "\tptpv2-l4-event\n";

/* the ioctl form (older ethtool) with an L2 filter */
static const char l2_ioctl[] = "Time stamping parameters for eth1:\n"
			       "PTP Hardware Clock: 3\n"
			       "Hardware Transmit Timestamp Modes:\n"
			       "\toff                   (HWTSTAMP_TX_OFF)\n"
			       "\ton                    (HWTSTAMP_TX_ON)\n"
			       "Hardware Receive Filter Modes:\n"
			       "\tnone                  (HWTSTAMP_FILTER_NONE)\n"
			       "\tptpv2-l2-event        (HWTSTAMP_FILTER_PTP_V2_L2_EVENT)\n";

START_TEST(ethtool_ts)
{
	struct ethtool_ts t;
	ethtool_parse_ts(lo_ts, &t);
	ck_assert(t.parsed);
	ck_assert_int_eq(t.phc_index, -1);
	ck_assert(!t.hw_tx);
	ck_assert_int_eq(t.nfilters, 0);
	ck_assert(!ethtool_filters_fit(&t, "L2"));

	ethtool_parse_ts(l4_ts, &t);
	ck_assert_int_eq(t.phc_index, 0);
	ck_assert(t.hw_tx);
	ck_assert_int_eq(t.nfilters, 2);
	ck_assert_str_eq(t.filters[1], "ptpv2l4event");
	/* linuxptp sk.c: L2 needs PTP_V2_EVENT, PTP_V2_L2_EVENT or ALL */
	ck_assert(!ethtool_filters_fit(&t, "L2"));
	ck_assert(ethtool_filters_fit(&t, "UDPv4"));
	ck_assert(ethtool_filters_fit(&t, "UDPv6"));

	ethtool_parse_ts(l2_ioctl, &t);
	ck_assert_int_eq(t.phc_index, 3);
	ck_assert(ethtool_filters_fit(&t, "L2"));
	ck_assert(!ethtool_filters_fit(&t, "UDPv4"));

	ethtool_parse_ts("Hardware Receive Filter Modes:\n\tall\nPTP Hardware Clock: 1\n", &t);
	ck_assert(ethtool_filters_fit(&t, "L2") && ethtool_filters_fit(&t, "UDPv4"));
	ethtool_parse_ts("netlink error: No such device\n", &t);
	ck_assert(!t.parsed);
}
END_TEST

START_TEST(ethtool_coalesce)
{
	struct ethtool_coalesce c;
	ethtool_parse_coalesce("Coalesce parameters for eth0:\nAdaptive RX: off  TX: off\n"
			       "stats-block-usecs: n/a\nrx-usecs: 50\nrx-frames: n/a\n"
			       "tx-usecs: 4\ntx-frames: n/a\n",
			       &c);
	ck_assert(c.parsed);
	ck_assert_int_eq(c.rx_usecs, 50);
	ck_assert_int_eq(c.tx_usecs, 4);
	ethtool_parse_coalesce("Coalesce parameters for eth0:\nrx-usecs: n/a\n", &c);
	ck_assert_int_eq(c.rx_usecs, -1);
	ck_assert_int_eq(c.tx_usecs, -1);
}
END_TEST

START_TEST(conf_scan)
{
	struct ptp4l_scan s;
	ptp4l_scan_text("# c\nclockClass 6\n[global]\n\n  slaveOnly\t\t1  \n[eth0]\n"
			"network_transport L2\n[broken\nclock_servo ntpshm\nslaveOnly 0\n",
			&s);
	ck_assert_int_eq(s.n, 6);
	ck_assert_int_eq(s.v[0].line, 2);
	ck_assert_str_eq(s.v[0].section, "");
	const struct ptp4l_line *l = ptp4l_scan_get(&s, "global", "slaveOnly");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->line, 5);
	ck_assert_str_eq(l->value, "1");
	l = ptp4l_scan_get(&s, "eth0", "network_transport");
	ck_assert_int_eq(l->line, 7);
	ck_assert(s.v[3].bad_section);
	ck_assert_int_eq(s.v[3].line, 8);
	/* after a malformed header the section is unchanged ([eth0]); the last one wins */
	l = ptp4l_scan_get(&s, "eth0", "slaveOnly");
	ck_assert_int_eq(l->line, 10);
	ptp4l_scan_free(&s);
}
END_TEST

Suite *doctor_parse_suite(void)
{
	Suite *s = suite_create("doctor_parse");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, ethtool_ts);
	tcase_add_test(tc, ethtool_coalesce);
	tcase_add_test(tc, conf_scan);
	suite_add_tcase(s, tc);
	return s;
}
