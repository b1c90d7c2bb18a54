/* The recorded clock-source datasets, kinds `phc`, `pps` and `extts` (columns in
 * docs/dataset-format.md): written by `ptpcal phc record`, `pps record`, `extts record`,
 * read back by the replay source (clock_replay.c). One row per clk_event. */
#ifndef PTPCAL_CLOCK_IO_H
#define PTPCAL_CLOCK_IO_H

#include "capture/clocksrc.h"
#include "common/dataset.h"

struct clock_writer;
/* kind: "phc", "pps" or "extts". NULL after printing why. */
struct clock_writer *clock_writer_open(const char *path, const char *kind);
struct ds_writer *clock_writer_ds(struct clock_writer *w);
void clock_writer_event(struct clock_writer *w, const struct clk_event *ev);
int clock_writer_close(struct clock_writer *w);

/* Method names as written in `phc` datasets; false if unknown. */
bool phc_method_parse(const char *s, enum phc_method *m);

#endif
