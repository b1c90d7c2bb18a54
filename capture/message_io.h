/* The `messages` dataset: one row per decoded PTP message with every header field and the
 * body's timestamp and port identity, for inspection, for comparison with tshark's PTP
 * dissector, and for the protocol-health analysis. */
#ifndef PTPCAL_MESSAGE_IO_H
#define PTPCAL_MESSAGE_IO_H

#include "capture/packet.h"
#include "common/dataset.h"

struct message_writer;
struct message_writer *message_writer_open(const char *path);
struct message_writer *message_writer_open_in(const struct outdir *dir, const char *name);
struct ds_writer *message_writer_ds(struct message_writer *w);
void message_writer_row(struct message_writer *w, const struct ptp_packet *pkt);
int message_writer_close(struct message_writer *w);

/* The body summary written in the `info` column: Announce contents, management action and
 * id, TLV count. Exposed for tests. */
void message_info(const struct ptp_msg *m, char *buf, size_t len);

#endif
