/* Reading PTP packets from a pcap or pcapng file with libpcap, timestamps in nanoseconds
 * whatever the file's own resolution (libpcap scales microsecond files). Every packet is
 * counted: PTP (by message type), other traffic, or malformed (by reason). */
#ifndef PTPCAL_PCAP_IN_H
#define PTPCAL_PCAP_IN_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/malformed.h"
#include "capture/packet.h"

struct pcap_in_stats {
	uint64_t packets;   /* every record read */
	uint64_t ptp;       /* decoded PTP messages */
	uint64_t other;     /* well-formed non-PTP traffic */
	uint64_t malformed; /* sum of mal.n[] */
	struct malformed_counts mal;
	uint64_t by_type[16];
	uint64_t first_malformed_frame; /* for the error message */
};

struct pcap_in;

/* A file ("-" for stdin). NULL after printing a one-line reason. */
struct pcap_in *pcap_in_open_offline(const char *path);
/* The same, with messages naming `name` (a decompressed file's pipe is /dev/fd/N). */
struct pcap_in *pcap_in_open_offline_as(const char *path, const char *name);
/* Wrap an already activated handle (live capture); takes ownership. */
struct pcap_in *pcap_in_wrap(pcap_t *p, const char *name);
/* 1: *pkt holds the next PTP packet; 0: end of file; -1: read error (truncated file...),
 * already printed. Packets decoded before an error stay valid and counted. */
int pcap_in_next(struct pcap_in *in, struct ptp_packet *pkt);
/* The same as calling pcap_in_next until it returns 0 or -1, with fn called for each PTP
 * packet; fn returns false to stop early (then the result is 0). For reading whole files:
 * libpcap's own loop (pcap_dispatch) calls back per record, which saves pcap_next_ex's
 * per-record copy and return. *pkt passed to fn is valid only during the call. */
typedef bool (*pcap_in_packet_fn)(void *ctx, const struct ptp_packet *pkt);
int pcap_in_each(struct pcap_in *in, pcap_in_packet_fn fn, void *ctx);
const struct pcap_in_stats *pcap_in_stats(const struct pcap_in *in);
int pcap_in_datalink(const struct pcap_in *in);
const char *pcap_in_name(const struct pcap_in *in);
/* "pcap (nanosecond)", "pcap (microsecond)", "pcapng", "live" */
const char *pcap_in_format(const struct pcap_in *in);
pcap_t *pcap_in_handle(struct pcap_in *in);
/* Called with every record read, PTP or not, before it is decoded (a live capture writes
 * them to its pcapng files). NULL removes it. */
typedef void (*pcap_in_raw_fn)(void *ctx, const struct pcap_pkthdr *h, const u_char *data);
void pcap_in_set_raw_hook(struct pcap_in *in, pcap_in_raw_fn fn, void *ctx);
void pcap_in_close(struct pcap_in *in);

#endif
