/* The offsets a ptp4l client's servo sees, as a calibration series: the two-way offset of
 * each exchange replaced by the offset ptp4l computes for each Sync with its own estimator
 * (analyze/ptp4l_estimator.h: delay_filter, delay_filter_length, tsproc_mode). A ptp4l
 * servo drives the (weighted) mean of these to zero, so their mean minus the reference is
 * the bias the client settles at; the plain mean of two-way offsets differs from it when
 * the delay variation is skewed (the filter's median is not the mean). */
#ifndef PTPCAL_PTP4L_SERIES_H
#define PTPCAL_PTP4L_SERIES_H

#include "analyze/ptp4l_estimator.h"
#include "calibrate/reference.h"

enum cal_estimator { CAL_EST_PTP4L, CAL_EST_MEAN };

const char *cal_estimator_name(enum cal_estimator e);

/* Replaces s's samples by ptp4l's per-Sync offsets (t2, offset, weight), after the delay
 * filter's warm-up; call before a reference is applied. Exit code: 0, or EXIT_USAGE after
 * one line (fewer than 8 Syncs). */
int cal_series_to_ptp4l(struct cal_series *s, const struct ptp4l_estimator_cfg *c);

#endif
