/* Residence times of PTP event messages through a switch, from its per-frame log (kind
 * switch-frames, `ptpcal lab switch --log`; .xz/.gz read through the decompressor): one
 * value per copy sent, split by direction (fwd: master->slave Sync, rev: slave->master
 * Delay_Req). For the residence-time distribution of switch validation. */
#ifndef PTPCAL_REPORT_RESIDENCE_H
#define PTPCAL_REPORT_RESIDENCE_H

#include <stdbool.h>
#include <stddef.h>

struct residence {
	size_t nfwd, nrev;
	double *fwd, *rev; /* residence_ns = tx - rx, ns */
};

/* False after printing why. */
bool residence_load(struct residence *r, const char *path);
void residence_free(struct residence *r);

#endif
