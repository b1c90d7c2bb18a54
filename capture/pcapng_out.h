/* Writing pcapng (libpcap 1.10 only writes classic pcap): a section header, one interface
 * description per interface with nanosecond resolution (if_tsresol 9) and its name, and
 * enhanced packet blocks with the direction flag. Readable by libpcap, tshark and ptpcal.
 * Layout: pcapng specification (draft-ietf-opsawg-pcapng), sections 4.1, 4.2, 4.3. */
#ifndef PTPCAL_PCAPNG_OUT_H
#define PTPCAL_PCAPNG_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pcapng_out;

/* NULL after printing why. dlt: link type of interface 0 (more with pcapng_out_add_if). */
struct pcapng_out *pcapng_out_open(const char *path, int dlt, const char *ifname,
				   const char *comment);
/* The same, NAME created in an output directory opened before (common/outdir.h). */
struct outdir;
struct pcapng_out *pcapng_out_open_in(const struct outdir *dir, const char *name, int dlt,
				      const char *ifname, const char *comment);
/* Another interface; returns its index. */
int pcapng_out_add_if(struct pcapng_out *o, int dlt, const char *ifname);
/* dir: 0 unknown, 1 inbound, 2 outbound (EPB flags bits 0-1). */
int pcapng_out_packet(struct pcapng_out *o, int ifidx, int64_t ts_ns, const uint8_t *data,
		      size_t caplen, size_t wirelen, int dir);
uint64_t pcapng_out_bytes(const struct pcapng_out *o);
int pcapng_out_flush(struct pcapng_out *o);
/* 0 or -1 (printed). */
int pcapng_out_close(struct pcapng_out *o);

#endif
