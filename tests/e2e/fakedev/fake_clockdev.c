/* An LD_PRELOAD stand-in for the PTP and PPS character devices, so that the real device
 * code (capture/phc.c, pps.c, extts.c: the ioctls, their structs, the method fallback, the
 * waits) runs end to end on a machine without /dev/ptp* or /dev/pps*. Only paths starting
 * with /dev/ptp-fake or /dev/pps-fake are faked (backed by /dev/null fds); everything else
 * goes to libc. The model, which tests/e2e/clock_fake_devices.sh checks results against:
 *   PHC = CLOCK_REALTIME + 37 s + 5000 ns (so PHC - CLOCK_REALTIME = 37000005000 ns)
 *   PTP_SYS_OFFSET_EXTENDED / PTP_SYS_OFFSET: n samples, sample i bracket 2000 + 100 i ns
 *     wide around its PHC read except sample n/2, 400 ns wide: the best; its middle is
 *     exactly the PHC read's system time
 *   PTP_SYS_OFFSET_PRECISE: the same offset, no bracket
 *   FAKE_PTP_METHODS=extended,precise,basic,gettime: the ones that work (others EOPNOTSUPP)
 *   PPS: an assert edge 250 us after every whole second of CLOCK_REALTIME
 *   EXTTS channel 0: an event at every whole second of CLOCK_REALTIME, stamped in PHC time
 *     (read() waits for it)
 * Built by the e2e test with cc -shared -fPIC. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pps.h>
#include <linux/ptp_clock.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL
#define OFFSET_NS (37 * NS + 5000)
#define FD_TO_CLOCKID(fd) ((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

enum kind { NONE, PTP, PPS };
static enum kind kinds[1024];
static unsigned extts_on[1024];

static long long now_rt(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static void sleep_until_rt(long long t)
{
	long long d = t - now_rt();
	if (d > 0) {
		struct timespec ts = { d / NS, d % NS };
		nanosleep(&ts, NULL);
	}
}

static int method_ok(const char *m)
{
	const char *e = getenv("FAKE_PTP_METHODS");
	return !e || strstr(e, m) != NULL;
}

static int fake_open(const char *path)
{
	enum kind k = !strncmp(path, "/dev/ptp-fake", 13) ? PTP :
		      !strncmp(path, "/dev/pps-fake", 13) ? PPS : NONE;
	if (k == NONE)
		return -2;
	int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	int fd = real("/dev/null", O_RDWR);
	if (fd >= 0 && fd < 1024)
		kinds[fd] = k, extts_on[fd] = 0;
	return fd;
}

#define OPEN_WRAPPER(name)                                                                   \
	int name(const char *path, int flags, ...);                                          \
	int name(const char *path, int flags, ...)                                           \
	{                                                                                    \
		int fd = fake_open(path);                                                    \
		if (fd != -2)                                                                \
			return fd;                                                           \
		va_list ap;                                                                  \
		va_start(ap, flags);                                                         \
		int mode = va_arg(ap, int);                                                  \
		va_end(ap);                                                                  \
		int (*real)(const char *, int, ...) =                                        \
			(int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name);            \
		return real(path, flags, mode);                                              \
	}
OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)

int close(int fd)
{
	if (fd >= 0 && fd < 1024)
		kinds[fd] = NONE;
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");
	return real(fd);
}

static void pct(struct ptp_clock_time *c, long long ns)
{
	c->sec = ns / NS;
	c->nsec = (unsigned)(ns % NS);
}

/* Sample i: system time s (its PHC read), bracket half-width h; only the best sample
 * (i = n/2, the shortest bracket) reads PHC - sys = OFFSET_NS exactly, the others are 777 ns
 * off, so a wrong choice shows. */
static void sample(int i, int n, long long base, long long *t1, long long *tp, long long *t2)
{
	long long s = base + i * 10000LL;
	long long h = i == n / 2 ? 200 : 1000 + 50 * i;
	*t1 = s - h;
	*t2 = s + h;
	*tp = s + OFFSET_NS + (i == n / 2 ? 0 : 777);
}

static int ptp_ioctl(int fd, unsigned long req, void *arg)
{
	(void)fd;
	if (req == PTP_CLOCK_GETCAPS || req == PTP_CLOCK_GETCAPS2) {
		struct ptp_clock_caps *c = arg;
		memset(c, 0, sizeof(*c));
		c->max_adj = 500000;
		c->n_ext_ts = 2;
		c->n_per_out = 1;
		c->n_pins = 2;
		return 0;
	}
	if (req == PTP_SYS_OFFSET_EXTENDED || req == PTP_SYS_OFFSET_EXTENDED2) {
		if (!method_ok("extended"))
			return errno = EOPNOTSUPP, -1;
		struct ptp_sys_offset_extended *p = arg;
		int n = (int)p->n_samples;
		long long base = now_rt(), a, b, c;
		for (int i = 0; i < n; i++) {
			sample(i, n, base, &a, &b, &c);
			pct(&p->ts[i][0], a);
			pct(&p->ts[i][1], b);
			pct(&p->ts[i][2], c);
		}
		return 0;
	}
	if (req == PTP_SYS_OFFSET || req == PTP_SYS_OFFSET2) {
		if (!method_ok("basic"))
			return errno = EOPNOTSUPP, -1;
		/* sys, phc, sys, phc, ..., sys: every bracket 10 us wide, each PHC read in its
		 * middle, so the first (of equals) wins and reads exactly OFFSET_NS. */
		struct ptp_sys_offset *p = arg;
		int n = (int)p->n_samples;
		long long base = now_rt();
		for (int i = 0; i <= n; i++)
			pct(&p->ts[2 * i], base + i * 10000LL);
		for (int i = 0; i < n; i++)
			pct(&p->ts[2 * i + 1], base + i * 10000LL + 5000 + OFFSET_NS);
		return 0;
	}
	if (req == PTP_SYS_OFFSET_PRECISE || req == PTP_SYS_OFFSET_PRECISE2) {
		if (!method_ok("precise"))
			return errno = EOPNOTSUPP, -1;
		struct ptp_sys_offset_precise *p = arg;
		long long s = now_rt();
		pct(&p->sys_realtime, s);
		pct(&p->device, s + OFFSET_NS);
		return 0;
	}
	if (req == PTP_EXTTS_REQUEST || req == PTP_EXTTS_REQUEST2) {
		struct ptp_extts_request *r = arg;
		if (r->index >= 2)
			return errno = EINVAL, -1;
		extts_on[fd] = r->flags & PTP_ENABLE_FEATURE;
		return 0;
	}
	if (req == PTP_PIN_SETFUNC || req == PTP_PIN_SETFUNC2 || req == PTP_PEROUT_REQUEST ||
	    req == PTP_PEROUT_REQUEST2)
		return 0;
	return errno = ENOTTY, -1;
}

static unsigned pps_seq(long long t)
{
	return (unsigned)((t - 250000) / NS % 100000);
}

static int pps_ioctl(unsigned long req, void *arg)
{
	if (req == PPS_GETCAP) {
		*(int *)arg = PPS_CAPTUREASSERT | PPS_CAPTURECLEAR | PPS_CANWAIT | PPS_TSFMT_TSPEC;
		return 0;
	}
	if (req == PPS_GETPARAMS) {
		struct pps_kparams *p = arg;
		memset(p, 0, sizeof(*p));
		p->api_version = PPS_API_VERS;
		p->mode = PPS_CAPTUREASSERT | PPS_TSFMT_TSPEC;
		return 0;
	}
	if (req == PPS_SETPARAMS)
		return 0;
	if (req == PPS_FETCH) {
		struct pps_fdata *f = arg;
		long long now = now_rt();
		long long last = ((now - 250000) / NS) * NS + 250000;
		long long timeout = f->timeout.sec * NS + f->timeout.nsec;
		if (timeout > 0) {
			long long next = last + NS;
			if (next - now > timeout) {
				sleep_until_rt(now + timeout);
				return errno = ETIMEDOUT, -1;
			}
			sleep_until_rt(next);
			last = next;
		}
		memset(&f->info, 0, sizeof(f->info));
		f->info.assert_sequence = pps_seq(last);
		f->info.assert_tu.sec = last / NS;
		f->info.assert_tu.nsec = (int)(last % NS);
		f->info.current_mode = PPS_CAPTUREASSERT;
		return 0;
	}
	return errno = ENOTTY, -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (fd >= 0 && fd < 1024 && kinds[fd] == PTP)
		return ptp_ioctl(fd, req, arg);
	if (fd >= 0 && fd < 1024 && kinds[fd] == PPS)
		return pps_ioctl(req, arg);
	int (*real)(int, unsigned long, ...) = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return real(fd, req, arg);
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (fd >= 0 && fd < 1024 && kinds[fd] == PTP) {
		if (!extts_on[fd] || n < sizeof(struct ptp_extts_event))
			return errno = EAGAIN, -1;
		long long next = (now_rt() / NS + 1) * NS;
		sleep_until_rt(next);
		struct ptp_extts_event e;
		memset(&e, 0, sizeof(e));
		pct(&e.t, next + OFFSET_NS); /* the PHC's time at the whole second */
		e.index = 0;
		memcpy(buf, &e, sizeof(e));
		return sizeof(e);
	}
	ssize_t (*real)(int, void *, size_t) = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	return real(fd, buf, n);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	for (int fd = 0; fd < 1024; fd++)
		if (kinds[fd] == PTP && id == FD_TO_CLOCKID(fd)) {
			if (!method_ok("gettime"))
				return errno = EINVAL, -1;
			long long t = now_rt() + OFFSET_NS;
			ts->tv_sec = t / NS;
			ts->tv_nsec = t % NS;
			return 0;
		}
	return (int)syscall(SYS_clock_gettime, id, ts);
}
