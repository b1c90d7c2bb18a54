/* External timestamps of a PHC (a PPS wired to a NIC's SDP pin) and periodic output.
 *
 * Set up as linuxptp's ts2phc does it (ts2phc_pps_sink.c, v4.4): give the pin the EXTTS
 * function on the channel (PTP_PIN_SETFUNC2), disable the channel, drain stale events from
 * the fd, then enable it with the wanted edges (PTP_EXTTS_REQUEST2, flags PTP_ENABLE_FEATURE
 * | PTP_RISING_EDGE / PTP_FALLING_EDGE); events are struct ptp_extts_event read() from the
 * PHC's fd, which poll() reports readable; on close the channel is disabled again.
 * Periodic output: PTP_PEROUT_REQUEST2 with a start time and a period (linux/ptp_clock.h;
 * testptp.c in the kernel tree does the same). */
#include <errno.h>
#include <linux/ptp_clock.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "capture/clocksrc.h"
#include "common/log.h"

#define FD_TO_CLOCKID(fd) ((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

struct extts_dev {
	int fd;
	unsigned index;
	uint32_t count;
};

static int set_pin(int fd, const char *name, int pin, unsigned func, unsigned chan)
{
	if (pin < 0)
		return 0;
	struct ptp_pin_desc desc;
	memset(&desc, 0, sizeof(desc));
	desc.index = (unsigned)pin;
	desc.func = func;
	desc.chan = chan;
	if (ioctl(fd, PTP_PIN_SETFUNC2, &desc) != 0) {
		log_err("%s: pin %d: PTP_PIN_SETFUNC2: %s", name, pin, strerror(errno));
		return -1;
	}
	return 0;
}

static int extts_request(int fd, unsigned index, unsigned flags)
{
	struct ptp_extts_request req;
	memset(&req, 0, sizeof(req));
	req.index = index;
	req.flags = flags;
	return ioctl(fd, PTP_EXTTS_REQUEST2, &req);
}

static int extts_next(struct clocksrc *s, int timeout_ms, struct clk_event *ev)
{
	struct extts_dev *d = s->priv;
	for (;;) {
		struct pollfd pfd = { .fd = d->fd, .events = POLLIN | POLLPRI };
		int n = poll(&pfd, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			return 0;
		if (n < 0) {
			log_err("%s: poll: %s", s->name, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		struct ptp_extts_event e;
		ssize_t got = read(d->fd, &e, sizeof(e));
		if (got != (ssize_t)sizeof(e)) {
			log_err("%s: reading an external timestamp: %s", s->name,
				got < 0 ? strerror(errno) : "short read");
			return -1;
		}
		if (e.index != d->index)
			continue; /* another channel's event on the same PHC */
		memset(ev, 0, sizeof(*ev));
		ev->kind = CLK_EXTTS;
		ev->phc = ptime_from_ns((int64_t)e.t.sec * NS_PER_SEC + e.t.nsec);
		ev->channel = (int)e.index;
		ev->seq = ++d->count;
		return 1;
	}
}

static void extts_close_dev(struct clocksrc *s)
{
	struct extts_dev *d = s->priv;
	extts_request(d->fd, d->index, 0);
	close(d->fd);
	free(d);
}

static const struct clocksrc_ops extts_ops = { extts_next, extts_close_dev };

struct clocksrc *extts_open(const char *dev_or_iface, int index, int pin, bool rising,
			    bool falling)
{
	char name[128];
	int fd = phc_device_open(dev_or_iface, name, sizeof(name));
	if (fd < 0)
		return NULL;
	struct ptp_clock_caps caps;
	if (ioctl(fd, PTP_CLOCK_GETCAPS, &caps) != 0 || index < 0 || index >= caps.n_ext_ts) {
		log_err("%s: has no external timestamp channel %d (n_ext_ts %d)", name, index,
			caps.n_ext_ts);
		close(fd);
		return NULL;
	}
	if (set_pin(fd, name, pin, PTP_PF_EXTTS, (unsigned)index) != 0) {
		close(fd);
		return NULL;
	}
	extts_request(fd, (unsigned)index, 0);
	/* Drain what is queued from before (ts2phc_pps_sink_clear_fifo). */
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLPRI };
		struct ptp_extts_event e;
		if (poll(&pfd, 1, 0) <= 0 || read(fd, &e, sizeof(e)) != (ssize_t)sizeof(e))
			break;
	}
	/* As ts2phc_pps_sink_arm: the edges asked for, without PTP_STRICT_FLAGS, which drivers
	 * that always stamp both edges refuse; the truth pairing skips the other edge. */
	unsigned flags = PTP_ENABLE_FEATURE | (rising ? PTP_RISING_EDGE : 0) |
			 (falling ? PTP_FALLING_EDGE : 0);
	if (extts_request(fd, (unsigned)index, flags) != 0) {
		log_err("%s: channel %d: PTP_EXTTS_REQUEST2: %s", name, index, strerror(errno));
		close(fd);
		return NULL;
	}
	struct extts_dev *d = xcalloc(1, sizeof(*d));
	d->fd = fd;
	d->index = (unsigned)index;
	struct clocksrc *s = xcalloc(1, sizeof(*s));
	s->ops = &extts_ops;
	s->impl = "device";
	snprintf(s->name, sizeof(s->name), "%s extts %d", name, index);
	s->priv = d;
	return s;
}

int perout_set(const char *dev_or_iface, int index, int pin, int64_t period_ns, int64_t phase_ns)
{
	char name[128];
	int fd = phc_device_open(dev_or_iface, name, sizeof(name));
	if (fd < 0)
		return -1;
	struct ptp_clock_caps caps;
	if (ioctl(fd, PTP_CLOCK_GETCAPS, &caps) != 0 || index < 0 || index >= caps.n_per_out) {
		log_err("%s: has no periodic output channel %d (n_per_out %d)", name, index,
			caps.n_per_out);
		close(fd);
		return -1;
	}
	if (period_ns && set_pin(fd, name, pin, PTP_PF_PEROUT, (unsigned)index) != 0) {
		close(fd);
		return -1;
	}
	struct ptp_perout_request req;
	memset(&req, 0, sizeof(req));
	req.index = (unsigned)index;
	if (period_ns) {
		struct timespec now;
		if (clock_gettime(FD_TO_CLOCKID(fd), &now) != 0) {
			log_err("%s: clock_gettime: %s", name, strerror(errno));
			close(fd);
			return -1;
		}
		/* Start on a whole second of the PHC, two seconds ahead, plus the phase. */
		int64_t start = ((int64_t)now.tv_sec + 2) * NS_PER_SEC + phase_ns;
		req.start.sec = start / NS_PER_SEC;
		req.start.nsec = (unsigned)(start % NS_PER_SEC);
		req.period.sec = period_ns / NS_PER_SEC;
		req.period.nsec = (unsigned)(period_ns % NS_PER_SEC);
	}
	int rc = ioctl(fd, PTP_PEROUT_REQUEST2, &req);
	if (rc != 0)
		log_err("%s: channel %d: PTP_PEROUT_REQUEST2: %s", name, index, strerror(errno));
	close(fd);
	return rc ? -1 : 0;
}
