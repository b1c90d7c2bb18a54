/* What `ptpcal capture` reports about a capture, shared by the file reader (capture_cmd.c)
 * and the live capture (live_capture.c): dataset metadata, Announce tracking, and the
 * summary in text and JSON. */
#ifndef PTPCAL_CAPTURE_REPORT_H
#define PTPCAL_CAPTURE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/exchange.h"
#include "capture/pcap_in.h"
#include "common/dataset.h"

/* What the Announce messages said, per grandmaster (the first few). */
#define MAX_GMS 8
struct gm_seen {
	uint8_t id[8];
	uint8_t domain;
	struct ptp_announce first, last;
	uint16_t flags_last;
	uint64_t n;
	int class_changes;
};

/* Extra facts of a live capture for the JSON summary. */
struct capture_live_info {
	const char *interface;
	const char *timestamp_type;   /* libpcap name actually used: host, adapter_unsynced... */
	const char *run_as;           /* user after dropping root, NULL if not dropped */
	uint64_t kernel_dropped;      /* pcap_stats ps_drop */
	uint64_t interface_dropped;   /* pcap_stats ps_ifdrop */
	int files;                    /* pcapng files written (rotation) */
	const char *stop_reason;      /* "duration", "signal", "error" */
};

/* The pairer's counts of what could not be used, by name ("sync_without_follow_up", ...;
 * the names of the summary and of `ptpcal monitor`'s reason label). out holds 32; returns
 * how many were written. */
struct count_name {
	const char *name;
	uint64_t v;
};
int capture_pairing_counts(const struct pair_counts *c, struct count_name *out);

void capture_track_announce(struct gm_seen *gms, int *ngm, const struct ptp_msg *m);
void capture_common_meta(struct ds_writer *ds, struct pcap_in *in);
void capture_exchange_meta(struct ds_writer *ds, struct pcap_in *in, const char *timestamp_type);
void capture_trailing_meta(struct ds_writer *ds, const struct pcap_in_stats *st,
			   const struct gm_seen *gms, int ngm, bool truncated);
void capture_summary_text(const struct pcap_in *in, const struct pairer *p,
			  const struct gm_seen *gms, int ngm);
/* live: NULL for a file. */
void capture_summary_json(const struct pcap_in *in, const struct pairer *p,
			  const struct gm_seen *gms, int ngm, bool truncated, bool stopped,
			  const struct capture_live_info *live);

/* The live capture: `ptpcal capture -i IFACE ...` (live_capture.c). */
int capture_live_main(int argc, char **argv);

#endif
