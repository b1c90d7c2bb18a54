/* Helpers for the Check unit tests: temporary files, building frames around PTP messages,
 * writing pcap files, and comparing doubles. */
#ifndef PTPCAL_TESTUTIL_H
#define PTPCAL_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/ptp_build.h"
#include "capture/ptp_wire.h"

/* A fresh temporary directory for this process (removed at exit) and a path in it. */
const char *tu_tmpdir(void);
const char *tu_path(const char *name); /* static buffer rotated over 8 slots */
/* Write/read a whole file. */
void tu_write_file(const char *path, const char *text);
char *tu_read_file(const char *path); /* malloc'd, NUL-terminated */
/* Path of a file in the source tree (tests run from tests/). */
const char *tu_src(const char *rel);

/* Frame builders: wrap a PTP message (buf/len) and return the frame length in out. */
size_t tu_eth(uint8_t *out, const uint8_t *ptp, size_t len, const uint16_t *vlans, int nvlan,
	      uint16_t vlan_tpid);
size_t tu_udp4(uint8_t *out, const uint8_t *ptp, size_t len, uint16_t dport);
size_t tu_udp6(uint8_t *out, const uint8_t *ptp, size_t len, uint16_t dport, int with_hbh);
size_t tu_sll(uint8_t *out, const uint8_t *ptp, size_t len, uint16_t pkttype);
size_t tu_sll2(uint8_t *out, const uint8_t *ptp, size_t len, uint8_t pkttype);

/* A pcap file of frames: tu_pcap_open(path, dlt, nano), add, close. */
struct tu_pcap;
struct tu_pcap *tu_pcap_open(const char *path, int dlt, int nano);
void tu_pcap_add(struct tu_pcap *p, int64_t ts_ns, const uint8_t *frame, size_t len);
void tu_pcap_add_trunc(struct tu_pcap *p, int64_t ts_ns, const uint8_t *frame, size_t caplen,
		       size_t wirelen);
void tu_pcap_close(struct tu_pcap *p);

/* Port identity from a small number (clock 00..00NN-1). */
struct ptp_port_id tu_port(uint8_t n, uint16_t port);

#define ck_assert_double_near(a, b, tol)                                                       \
	ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol), "%s = %.12g, expected %.12g +- %g", \
		      #a, (double)(a), (double)(b), (double)(tol))

#endif
