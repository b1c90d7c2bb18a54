/* NTP SHM segments: see ntpshm.h for the layout and protocol and where they were checked. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "capture/ntpshm.h"

/* The layout ntpd and gpsd were built with on this platform (LP64: 96 bytes). */
_Static_assert(sizeof(time_t) != 8 || sizeof(struct ntpshm_time) == 96,
	       "struct ntpshm_time must match ntpsec's struct shmTime");

/* refclock_shm.c memory_barrier(): a full fence. */
static inline void barrier(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

const char *ntpshm_name(int unit, char *buf, size_t len)
{
	snprintf(buf, len, "NTP%d", unit);
	return buf;
}

int ntpshm_default_perm(int unit)
{
	return unit >= 2 ? 0666 : 0600;
}

static bool attach_id(int shmid, struct ntpshm_seg *seg, char *err, size_t errsz,
		      const char *what, int *errno_out)
{
	void *p = shmat(shmid, NULL, 0);
	if (p == (void *)-1) {
		int e = errno;
		if (errno_out)
			*errno_out = e;
		snprintf(err, errsz, "%s: shmat: %s", what, strerror(e));
		return false;
	}
	/* An existing segment smaller than the structure would be read out of bounds. */
	struct shmid_ds ds;
	if (shmctl(shmid, IPC_STAT, &ds) == 0 && ds.shm_segsz < sizeof(struct ntpshm_time)) {
		shmdt(p);
		if (errno_out)
			*errno_out = EINVAL;
		snprintf(err, errsz, "%s: segment is %zu bytes, an NTP SHM segment has %zu", what,
			 (size_t)ds.shm_segsz, sizeof(struct ntpshm_time));
		return false;
	}
	seg->shmid = shmid;
	seg->t = p;
	return true;
}

bool ntpshm_attach(int unit, bool create, int perm, struct ntpshm_seg *seg, char *err,
		   size_t errsz, int *errno_out)
{
	char what[32];
	snprintf(what, sizeof(what), "SHM(%d)", unit);
	memset(seg, 0, sizeof(*seg));
	seg->unit = unit;
	seg->key = ntpshm_key(unit);
	seg->shmid = -1;
	if (errno_out)
		*errno_out = 0;
	if (unit < 0 || unit >= NTPSHM_UNITS) {
		snprintf(err, errsz, "%s: unit must be 0..%d", what, NTPSHM_UNITS - 1);
		if (errno_out)
			*errno_out = EINVAL;
		return false;
	}
	/* Size 0 when only attaching: any existing segment matches (shmget(2): EINVAL when the
	 * size asked for is larger than the segment's); checked against the layout after. */
	int id = shmget(seg->key, 0, 0);
	if (id < 0 && errno == ENOENT && create) {
		id = shmget(seg->key, sizeof(struct ntpshm_time), IPC_CREAT | IPC_EXCL | perm);
		if (id >= 0)
			seg->created = true;
		else if (errno == EEXIST) /* someone else created it in between */
			id = shmget(seg->key, 0, 0);
	}
	if (id < 0) {
		int e = errno;
		if (errno_out)
			*errno_out = e;
		snprintf(err, errsz, "%s (key 0x%08x): %s", what, (unsigned)seg->key,
			 e == ENOENT ? "no such segment" : strerror(e));
		return false;
	}
	return attach_id(id, seg, err, errsz, what, errno_out);
}

bool ntpshm_attach_private(struct ntpshm_seg *seg, char *err, size_t errsz)
{
	memset(seg, 0, sizeof(*seg));
	seg->unit = -1;
	seg->key = IPC_PRIVATE;
	int id = shmget(IPC_PRIVATE, sizeof(struct ntpshm_time), IPC_CREAT | 0600);
	if (id < 0) {
		snprintf(err, errsz, "SHM(private): %s", strerror(errno));
		return false;
	}
	seg->created = true;
	if (!attach_id(id, seg, err, errsz, "SHM(private)", NULL)) {
		shmctl(id, IPC_RMID, NULL);
		return false;
	}
	return true;
}

void ntpshm_detach(struct ntpshm_seg *seg)
{
	if (seg->t)
		shmdt((const void *)seg->t);
	seg->t = NULL;
}

bool ntpshm_remove(struct ntpshm_seg *seg)
{
	bool ok = seg->shmid < 0 || shmctl(seg->shmid, IPC_RMID, NULL) == 0;
	ntpshm_detach(seg);
	seg->shmid = -1;
	return ok;
}

/* refclock_shm.c shm_query: the ns fields count when the us fields are their truncation
 * (unsigned differences < 1000, so that an underflow reads as huge); else us * 1000. */
static void pick_ns(const struct ntpshm_time *c, struct ntpshm_sample *s)
{
	s->clock.tv_sec = c->clockTimeStampSec;
	s->clock.tv_nsec = (long)c->clockTimeStampUSec * 1000;
	s->receive.tv_sec = c->receiveTimeStampSec;
	s->receive.tv_nsec = (long)c->receiveTimeStampUSec * 1000;
	unsigned cns = c->clockTimeStampNSec, rns = c->receiveTimeStampNSec;
	if (cns - (unsigned)s->clock.tv_nsec < 1000 && rns - (unsigned)s->receive.tv_nsec < 1000) {
		s->clock.tv_nsec = (long)cns;
		s->receive.tv_nsec = (long)rns;
	}
}

enum ntpshm_status ntpshm_read(volatile struct ntpshm_time *t, bool consume,
			       struct ntpshm_sample *out)
{
	if (!t)
		return NTPSHM_NO_SEGMENT;
	if (t->valid == 0)
		return NTPSHM_NOT_READY;
	int cnt = t->count;
	barrier();
	struct ntpshm_time copy;
	/* Field by field through the volatile pointer (memcpy would cast volatile away). */
	copy.mode = t->mode;
	copy.count = t->count;
	copy.clockTimeStampSec = t->clockTimeStampSec;
	copy.clockTimeStampUSec = t->clockTimeStampUSec;
	copy.receiveTimeStampSec = t->receiveTimeStampSec;
	copy.receiveTimeStampUSec = t->receiveTimeStampUSec;
	copy.leap = t->leap;
	copy.precision = t->precision;
	copy.clockTimeStampNSec = t->clockTimeStampNSec;
	copy.receiveTimeStampNSec = t->receiveTimeStampNSec;
	barrier();
	/* ntpd's check is the count alone (mode 1). That leaves a window: valid read as 1 just
	 * before a writer starts (valid = 0; count++), then count read in the middle of the
	 * write and unchanged at the end: a torn sample passes. The concurrent unit test
	 * caught 3 in 1.8 million reads. A write that started after our first look has
	 * cleared valid (or, if it finished, changed count), so valid is checked again. */
	bool torn = (copy.mode > 0 && cnt != t->count) || t->valid == 0;
	if (consume)
		t->valid = 0;
	if (torn) /* in mode 0 only the valid check applies (ntpd has no clash there) */
		return NTPSHM_CLASH;
	if (copy.mode != 0 && copy.mode != 1)
		return NTPSHM_BAD_MODE;
	memset(out, 0, sizeof(*out));
	out->mode = copy.mode;
	out->count = cnt;
	pick_ns(&copy, out);
	out->leap = copy.leap;
	out->precision = copy.precision;
	return NTPSHM_OK;
}

void ntpshm_write(volatile struct ntpshm_time *t, int mode, struct timespec clock,
		  struct timespec receive, int leap, int precision)
{
	/* gpsd ntpshmwrite.c ntp_write (mode 1 protocol; a mode 0 reader ignores count). */
	t->mode = mode;
	t->valid = 0;
	t->count++;
	barrier();
	t->clockTimeStampSec = clock.tv_sec;
	t->clockTimeStampUSec = (int)(clock.tv_nsec / 1000);
	t->clockTimeStampNSec = (unsigned)clock.tv_nsec;
	t->receiveTimeStampSec = receive.tv_sec;
	t->receiveTimeStampUSec = (int)(receive.tv_nsec / 1000);
	t->receiveTimeStampNSec = (unsigned)receive.tv_nsec;
	t->leap = leap;
	t->precision = precision;
	barrier();
	t->count++;
	t->valid = 1;
}

int64_t ntpshm_offset_ns(const struct ntpshm_sample *s)
{
	return ((int64_t)s->receive.tv_sec - (int64_t)s->clock.tv_sec) * 1000000000LL +
	       (s->receive.tv_nsec - s->clock.tv_nsec);
}
