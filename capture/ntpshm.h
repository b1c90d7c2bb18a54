/* NTP shared-memory (SHM) refclock segments, read and written exactly as ntpd and gpsd do.
 *
 * Layout: struct shmTime of ntpsec ntpd/refclock_shm.c (NTPsec_1_2_2) = gpsd include/ntpshm.h
 * (release-3.22); 96 bytes on LP64. Key 0x4e545030 ("NTP0") + unit. ntpd creates units 0 and 1
 * with mode 0600 (root only) and units >= 2 with 0666 (refclock_shm.c shm_start, unless the
 * "mode 1" private flag); gpsd's shm_get does the same.
 *
 * Protocol (refclock_shm.c shm_query, gpsd ntpshmwrite.c ntp_write):
 *   writer: valid = 0; count++; barrier; write the fields; barrier; count++; valid = 1
 *   reader: if valid == 0: NOT_READY. cnt = count; barrier; copy; [consumer: valid = 0];
 *           barrier; mode 1 and count != cnt: CLASH (mode 0 has no clash detection);
 *           mode not 0/1: BAD_MODE. (ptpcal also calls it a clash when valid was cleared
 *           during the copy: ntpd's sequence lets some torn samples through, see ntpshm.c.)
 * ntpd is a consumer (clears valid); a monitor (gpsd's ntpshmmon) is not and must not be.
 * Timestamps: clockTimeStamp = the reference's time of the event, receiveTimeStamp = the
 * system clock's; the ns fields are used when the us fields are their truncation (both
 * within 1000 ns), else the us fields. ntpd's sample offset is clock − receive (ntp_refclock.c
 * refclock_process_offset: lasttim − lastrec); ptpcal's offset_ns is receive − clock
 * (local − reference, the slave − master sign of PTP) — the opposite sign of ntpq's. */
#ifndef PTPCAL_NTPSHM_H
#define PTPCAL_NTPSHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define NTPSHM_KEY_BASE 0x4e545030 /* "NTP0" */
#define NTPSHM_UNITS 256           /* gpsd ntpshmmon: NTPx for x any byte */

/* ntpsec refclock_shm.c struct shmTime, field for field. */
struct ntpshm_time {
	int mode;
	volatile int count;
	time_t clockTimeStampSec;
	int clockTimeStampUSec;
	time_t receiveTimeStampSec;
	int receiveTimeStampUSec;
	int leap;      /* leap notification code (0 none, 1 insert, 2 delete, 3 alarm), not an offset */
	int precision; /* log2 of the source's jitter in seconds (ntpd writes -30 at start) */
	int nsamples;
	volatile int valid;
	unsigned clockTimeStampNSec;
	unsigned receiveTimeStampNSec;
	int dummy[8];
};

enum ntpshm_status { NTPSHM_OK, NTPSHM_NO_SEGMENT, NTPSHM_NOT_READY, NTPSHM_BAD_MODE, NTPSHM_CLASH };

struct ntpshm_sample {
	int mode;
	int count;               /* the count field when read */
	struct timespec clock;   /* reference time of the event */
	struct timespec receive; /* system time of the same event */
	int leap, precision;
};

/* An attached segment. */
struct ntpshm_seg {
	int unit;  /* -1 for a private (IPC_PRIVATE) segment */
	key_t key;
	int shmid;
	bool created; /* this process created it (so it may remove it) */
	volatile struct ntpshm_time *t;
};

static inline key_t ntpshm_key(int unit)
{
	return (key_t)(NTPSHM_KEY_BASE + unit);
}
/* "NTP0".."NTP9" as gpsd names them; "NTP<unit>" beyond 9. buf >= 16 bytes. */
const char *ntpshm_name(int unit, char *buf, size_t len);
/* ntpd's permission for a unit it creates: 0600 for units 0 and 1, 0666 from 2 on. */
int ntpshm_default_perm(int unit);

/* Attach to the segment of `unit` (key NTPSHM_KEY_BASE + unit). With create, make it if it
 * does not exist (perm as given, e.g. ntpshm_default_perm). False, with "SHM(unit): why" in
 * err (ENOENT: no such segment), when it cannot; *errno_out (may be NULL) gets errno. */
bool ntpshm_attach(int unit, bool create, int perm, struct ntpshm_seg *seg, char *err,
		   size_t errsz, int *errno_out);
/* A new private segment (IPC_PRIVATE: no key, nobody else can find it), for tests. */
bool ntpshm_attach_private(struct ntpshm_seg *seg, char *err, size_t errsz);
void ntpshm_detach(struct ntpshm_seg *seg);
/* Mark for removal (IPC_RMID; it goes when the last process detaches) and detach. */
bool ntpshm_remove(struct ntpshm_seg *seg);

/* One read of a segment (or any struct in memory), as ntpd (consume = true) or ntpshmmon
 * (consume = false) does. The sample is filled only for NTPSHM_OK. */
enum ntpshm_status ntpshm_read(volatile struct ntpshm_time *t, bool consume,
			       struct ntpshm_sample *out);
/* One write with the protocol above (gpsd ntp_write). mode 0 or 1; the us fields are the
 * truncation of the ns ones, as readers require. */
void ntpshm_write(volatile struct ntpshm_time *t, int mode, struct timespec clock,
		  struct timespec receive, int leap, int precision);

/* receive − clock in ns (ptpcal's offset_ns: system − reference). */
int64_t ntpshm_offset_ns(const struct ntpshm_sample *s);

#endif
