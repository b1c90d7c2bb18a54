/* Clock sources: a PHC (/dev/ptpN), a PPS device (/dev/ppsN, RFC 2783) and a PHC's external
 * timestamp channel (EXTTS), behind one small ops struct, as linuxptp does for servos and
 * transports. One file per implementation: phc.c, pps.c, extts.c for the real devices,
 * clock_replay.c for recorded datasets (kinds `phc`, `pps`, `extts`, docs/dataset-format.md)
 * so that everything built on a source runs the same in tests.
 *
 * A source yields events:
 *   PHC reading   sys = CLOCK_REALTIME at the middle of the shortest bracket, phc = the PHC
 *                 read inside it, bracket_ns = that bracket's width (0: PTP_SYS_OFFSET_PRECISE,
 *                 a hardware cross-timestamp). phc - sys is "PHC - CLOCK_REALTIME".
 *   PPS edge      sys = the kernel's CLOCK_REALTIME timestamp of the edge, seq = the RFC 2783
 *                 assert or clear sequence number.
 *   EXTTS edge    phc = the PHC's timestamp of the edge on the channel (index), seq = a count
 *                 of events read.
 * Opening a device that is not there prints one line naming it and returns NULL; callers
 * exit 2 (EXIT_USAGE). */
#ifndef PTPCAL_CLOCKSRC_H
#define PTPCAL_CLOCKSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ptime.h"

enum clk_event_kind { CLK_PHC_READING, CLK_PPS_ASSERT, CLK_PPS_CLEAR, CLK_EXTTS };

/* How a PHC reading was taken, best first as the issue asks; linuxptp's sysoff_probe
 * (sysoff.c, v3.1.1 - v4.4) tries PRECISE before EXTENDED. */
enum phc_method {
	PHC_SYSOFF_EXTENDED, /* PTP_SYS_OFFSET_EXTENDED: sys, phc, sys per sample */
	PHC_SYSOFF_PRECISE,  /* PTP_SYS_OFFSET_PRECISE: hardware cross-timestamp */
	PHC_SYSOFF_BASIC,    /* PTP_SYS_OFFSET: sys, phc, sys, phc, ..., sys */
	PHC_GETTIME,         /* clock_gettime(REALTIME), (PHC), (REALTIME): linuxptp clockadj_compare */
	PHC_METHOD_AUTO,
};

struct clk_event {
	enum clk_event_kind kind;
	struct ptime sys;   /* CLOCK_REALTIME (zero for EXTTS) */
	struct ptime phc;   /* PHC time (zero for PPS) */
	int64_t bracket_ns; /* PHC readings: width of the best bracket */
	uint32_t seq;
	int channel;        /* EXTTS index */
	enum phc_method method;
};

struct clocksrc;

struct clocksrc_ops {
	/* The next event. A PHC device takes a reading now (timeout unused); PPS and EXTTS
	 * devices wait up to timeout_ms for an edge. 1: *ev filled; 0: nothing within the
	 * timeout; 2: end of recorded data (replay); -1: error (printed). */
	int (*next)(struct clocksrc *s, int timeout_ms, struct clk_event *ev);
	void (*close)(struct clocksrc *s);
};

struct clocksrc {
	const struct clocksrc_ops *ops;
	const char *impl;     /* "device" or "replay" */
	char name[256];       /* what it is: "/dev/ptp0", "/dev/pps0", "/dev/ptp0 extts 0", file */
	char timescale[64];   /* for a PHC read back from a file: the metadata; else "" */
	void *priv;
};

static inline int clocksrc_next(struct clocksrc *s, int timeout_ms, struct clk_event *ev)
{
	return s->ops->next(s, timeout_ms, ev);
}
void clocksrc_close(struct clocksrc *s);

/* ---- devices (phc.c, pps.c, extts.c) ---- */

/* A PHC by path (/dev/ptpN) or by interface (its PHC from ETHTOOL_GET_TS_INFO). n_samples
 * per reading (1..25, PTP_MAX_SAMPLES), method or PHC_METHOD_AUTO (first that works). */
struct clocksrc *phc_open(const char *dev_or_iface, int n_samples, enum phc_method method);
/* The PTP clock device fd behind a path or interface (checked with PTP_CLOCK_GETCAPS), its
 * name in name[]; -1 after printing why (for extts.c and perout). */
int phc_device_open(const char *dev_or_iface, char *name, size_t nlen);
/* The fd of an open PHC device (for EXTTS on the same device), -1 for a replay. */
int phc_fd(const struct clocksrc *s);
const char *phc_method_name(enum phc_method m);
/* The reading from n samples (sys before, phc, sys after): the shortest bracket's middle
 * (exact, 2^-16 ns) and its PHC time; what the ioctls' results go through. */
void phc_best_bracket(struct ptime (*s)[3], int n, struct clk_event *ev);
/* "ptp_clock_caps: max_adj 999999999 ppb, n_alarm 0, n_ext_ts 2, n_per_out 2, pps 1,
 * n_pins 4, cross_timestamping 0" or false on error (printed). */
bool phc_caps_text(const struct clocksrc *s, char *buf, int len);

/* A PPS device; edge: CLK_PPS_ASSERT or CLK_PPS_CLEAR, or both (want_both). */
struct clocksrc *pps_open(const char *dev, bool assert_edge, bool clear_edge);

/* EXTTS on a PHC device: channel index, optional pin (-1: leave the pin as it is) given
 * PTP_PF_EXTTS with PTP_PIN_SETFUNC, edges rising/falling. Disabled again on close. */
struct clocksrc *extts_open(const char *dev_or_iface, int index, int pin, bool rising,
			    bool falling);
/* Periodic output on a PHC (PTP_PEROUT_REQUEST), for loop-back tests: channel index, pin
 * (-1: as it is), period ns, start at the next whole second + phase_ns. 0 or -1 (printed).
 * period_ns 0 switches it off. */
int perout_set(const char *dev_or_iface, int index, int pin, int64_t period_ns,
	       int64_t phase_ns);

/* ---- recorded data (clock_replay.c) ---- */

/* Opens a `phc`, `pps` or `extts` dataset; want_kind NULL takes any of them. */
struct clocksrc *clock_replay_open(const char *path, const char *want_kind);
/* The dataset kind a replay source reads ("phc", "pps", "extts"). */
const char *clock_replay_kind(const struct clocksrc *s);
/* A metadata value of the recorded file, or NULL. */
const char *clock_replay_meta(const struct clocksrc *s, const char *key);

/* True if path names a ptpcal dataset (a regular file starting "# ptpcal-dataset"): then
 * it is replayed, else it is a device. */
bool clocksrc_is_recording(const char *path);

#endif
