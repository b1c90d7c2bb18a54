/* Captures as inputs of the analysis: a `messages` dataset (ptpcal capture --messages) feeds
 * the protocol-health check; a pcap/pcapng file feeds it too and is paired into exchanges on
 * the way (as 'ptpcal capture' pairs them), so 'ptpcal analyze run.pcap' needs no step
 * before it. */
#ifndef PTPCAL_CAPTURE_INPUT_H
#define PTPCAL_CAPTURE_INPUT_H

#include <stdbool.h>

#include "analyze/health.h"
#include "analyze/exseries.h"

/* True if the file starts with a pcap or pcapng magic number. */
bool capture_input_is_pcap(const char *path);
/* Every row of a messages dataset into h. false after printing "file:line: reason". */
bool capture_input_messages(struct health *h, const char *path);
/* Every PTP message of a capture file into h, and its exchanges into s. false after printing
 * why (unreadable, truncated or damaged file). */
bool capture_input_pcap(struct health *h, struct ex_series *s, const char *path);
/* The health fields of a decoded message (exposed for tests). */
void capture_input_from_msg(const struct ptp_msg *m, int64_t t_ns, struct health_msg *out);

#endif
