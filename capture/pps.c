/* A PPS device, /dev/ppsN, through the kernel's RFC 2783 interface (linux/pps.h,
 * drivers/pps/pps.c): PPS_GETCAP, PPS_GETPARAMS/PPS_SETPARAMS for the capture mode and
 * PPS_FETCH, which waits for the next event (assert or clear) up to a timeout and returns
 * both edges' last timestamps (CLOCK_REALTIME) with their sequence numbers. A new edge is one
 * whose sequence number moved; a jump of more than one means missed pulses, which the
 * consumer sees in seq. */
#include <errno.h>
#include <fcntl.h>
#include <linux/pps.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "capture/clocksrc.h"
#include "common/log.h"

struct pps_dev {
	int fd;
	bool want_assert, want_clear;
	uint32_t last_assert, last_clear;
	bool have_queued;
	struct clk_event queued;
};

static struct ptime kt(const struct pps_ktime *t)
{
	return ptime_from_ns(t->sec * NS_PER_SEC + t->nsec);
}

static int fetch(struct pps_dev *d, int timeout_ms, struct pps_fdata *fd)
{
	memset(fd, 0, sizeof(*fd));
	/* drivers/pps/pps.c pps_cdev_pps_fetch: a zero timeout returns at once; otherwise it
	 * waits for the next event and fails with ETIMEDOUT. */
	fd->timeout.sec = timeout_ms / 1000;
	fd->timeout.nsec = (timeout_ms % 1000) * 1000000;
	fd->timeout.flags = 0;
	if (ioctl(d->fd, PPS_FETCH, fd) != 0)
		return -errno;
	return 0;
}

static int pps_next(struct clocksrc *s, int timeout_ms, struct clk_event *ev)
{
	struct pps_dev *d = s->priv;
	if (d->have_queued) {
		*ev = d->queued;
		d->have_queued = false;
		return 1;
	}
	/* PPS_FETCH waits for the event after the call: an edge that came since our last
	 * fetch would be overwritten by the next one. Look without waiting first. */
	struct pps_fdata f;
	int err = fetch(d, 0, &f);
	if (!err && (d->want_assert ? f.info.assert_sequence == d->last_assert : true) &&
	    (d->want_clear ? f.info.clear_sequence == d->last_clear : true))
		err = fetch(d, timeout_ms, &f);
	if (err == -ETIMEDOUT || err == -EINTR)
		return 0;
	if (err) {
		log_err("%s: PPS_FETCH: %s", s->name, strerror(-err));
		return -1;
	}
	struct clk_event a = { 0 }, c = { 0 };
	bool new_a = d->want_assert && f.info.assert_sequence != d->last_assert;
	bool new_c = d->want_clear && f.info.clear_sequence != d->last_clear;
	d->last_assert = f.info.assert_sequence;
	d->last_clear = f.info.clear_sequence;
	a.kind = CLK_PPS_ASSERT;
	a.sys = kt(&f.info.assert_tu);
	a.seq = f.info.assert_sequence;
	c.kind = CLK_PPS_CLEAR;
	c.sys = kt(&f.info.clear_tu);
	c.seq = f.info.clear_sequence;
	if (new_a && new_c) {
		/* Both moved in one fetch: the earlier first. */
		bool a_first = ptime_cmp(a.sys, c.sys) <= 0;
		*ev = a_first ? a : c;
		d->queued = a_first ? c : a;
		d->have_queued = true;
		return 1;
	}
	if (new_a || new_c) {
		*ev = new_a ? a : c;
		return 1;
	}
	return 0;
}

static void pps_close_dev(struct clocksrc *s)
{
	struct pps_dev *d = s->priv;
	close(d->fd);
	free(d);
}

static const struct clocksrc_ops pps_ops = { pps_next, pps_close_dev };

struct clocksrc *pps_open(const char *dev, bool assert_edge, bool clear_edge)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			log_err("%s: no such device (this machine has no PPS source there: see "
				"'ls /dev/pps*')", dev);
		else
			log_err("%s: cannot open: %s", dev, strerror(errno));
		return NULL;
	}
	int caps = 0;
	if (ioctl(fd, PPS_GETCAP, &caps) != 0) {
		log_err("%s: not a PPS device (PPS_GETCAP: %s)", dev, strerror(errno));
		close(fd);
		return NULL;
	}
	int need = (assert_edge ? PPS_CAPTUREASSERT : 0) | (clear_edge ? PPS_CAPTURECLEAR : 0);
	if ((caps & need) != need) {
		log_err("%s: cannot capture the %s edge (PPS_GETCAP 0x%x)", dev,
			(need & ~caps & PPS_CAPTUREASSERT) ? "assert" : "clear", (unsigned)caps);
		close(fd);
		return NULL;
	}
	struct pps_kparams params;
	memset(&params, 0, sizeof(params));
	if (ioctl(fd, PPS_GETPARAMS, &params) != 0) {
		log_err("%s: PPS_GETPARAMS: %s", dev, strerror(errno));
		close(fd);
		return NULL;
	}
	if ((params.mode & need) != need) {
		/* RFC 2783 time_pps_setparams: capture the edges we want (ppstest does the same).
		 * The kernel asks for CAP_SYS_TIME here. */
		params.mode |= need | PPS_TSFMT_TSPEC;
		params.api_version = PPS_API_VERS;
		if (ioctl(fd, PPS_SETPARAMS, &params) != 0) {
			log_err("%s: cannot enable capturing the wanted edge (PPS_SETPARAMS: %s)", dev,
				strerror(errno));
			close(fd);
			return NULL;
		}
		log_note("%s: capture mode set to 0x%x", dev, (unsigned)params.mode);
	}
	struct pps_dev *d = xcalloc(1, sizeof(*d));
	d->fd = fd;
	d->want_assert = assert_edge;
	d->want_clear = clear_edge;
	/* The current sequence numbers, so that an edge from before we opened is not new. */
	struct pps_fdata f;
	if (fetch(d, 0, &f) == 0) {
		d->last_assert = f.info.assert_sequence;
		d->last_clear = f.info.clear_sequence;
	}
	struct clocksrc *s = xcalloc(1, sizeof(*s));
	s->ops = &pps_ops;
	s->impl = "device";
	snprintf(s->name, sizeof(s->name), "%s", dev);
	s->priv = d;
	return s;
}
