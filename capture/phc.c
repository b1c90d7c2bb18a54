/* The PTP hardware clock device: /dev/ptpN, or the PHC of a network interface.
 *
 * PHC - CLOCK_REALTIME the way linuxptp measures it (sysoff.c, v3.1.1 - v4.4, identical
 * there): n samples in one ioctl, each a system-clock bracket around one PHC read; the
 * sample with the shortest bracket wins, its system time is the bracket's middle. linuxptp
 * reports sys - phc ("offset from CLOCK_REALTIME", phc_ctl.c do_cmp) and rounds the middle
 * down ((t1 + t2) / 2); we keep phc and sys both, exact, the middle to 2^-16 ns.
 * The last resort is clockadj.c clockadj_compare: clock_gettime on CLOCK_REALTIME, the PHC
 * (as a dynamic POSIX clock, FD_TO_CLOCKID), CLOCK_REALTIME. */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/ptp_clock.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/clocksrc.h"
#include "common/log.h"

/* linux/posix-timers.h (kernel), as linuxptp missing.h defines it. */
#define FD_TO_CLOCKID(fd) ((clockid_t)((((unsigned int)~(fd)) << 3) | 3))

struct phc_dev {
	int fd;
	int n_samples;
	enum phc_method method; /* fixed after the first successful reading */
	bool probed;
};

const char *phc_method_name(enum phc_method m)
{
	switch (m) {
	case PHC_SYSOFF_EXTENDED: return "PTP_SYS_OFFSET_EXTENDED";
	case PHC_SYSOFF_PRECISE: return "PTP_SYS_OFFSET_PRECISE";
	case PHC_SYSOFF_BASIC: return "PTP_SYS_OFFSET";
	case PHC_GETTIME: return "clock_gettime";
	default: return "auto";
	}
}

static struct ptime pct(const struct ptp_clock_time *t)
{
	return ptime_from_ns((int64_t)t->sec * NS_PER_SEC + t->nsec);
}

/* Middle of [a, b], exact: a + (b - a)/2 with the half nanosecond kept. */
static struct ptime midpoint(struct ptime a, struct ptime b)
{
	int64_t d = b.ns - a.ns;
	struct ptime m = ptime_from_ns(a.ns + d / 2);
	if (d % 2)
		m = ptime_add_sns(m, (d > 0 ? 1 : -1) * SNS_PER_NS / 2);
	return m;
}

/* sysoff.c sysoff_estimate: among the samples (sys1, phc, sys2) the shortest sys2 - sys1
 * (the first of equals, as linuxptp's strict "<"). */
void phc_best_bracket(struct ptime (*s)[3], int n, struct clk_event *ev)
{
	int best = 0;
	for (int i = 1; i < n; i++)
		if (s[i][2].ns - s[i][0].ns < s[best][2].ns - s[best][0].ns)
			best = i;
	ev->sys = midpoint(s[best][0], s[best][2]);
	ev->phc = s[best][1];
	ev->bracket_ns = s[best][2].ns - s[best][0].ns;
}

static int read_extended(int fd, int n, struct clk_event *ev)
{
	struct ptp_sys_offset_extended pso;
	memset(&pso, 0, sizeof(pso));
	pso.n_samples = (unsigned)n;
	if (ioctl(fd, PTP_SYS_OFFSET_EXTENDED, &pso) != 0)
		return -errno;
	struct ptime s[PTP_MAX_SAMPLES][3];
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			s[i][k] = pct(&pso.ts[i][k]);
	phc_best_bracket(s, n, ev);
	return 0;
}

static int read_basic(int fd, int n, struct clk_event *ev)
{
	struct ptp_sys_offset pso;
	memset(&pso, 0, sizeof(pso));
	pso.n_samples = (unsigned)n;
	if (ioctl(fd, PTP_SYS_OFFSET, &pso) != 0)
		return -errno;
	/* ts[] = sys, phc, sys, phc, ..., sys (linux/ptp_clock.h struct ptp_sys_offset). */
	struct ptime s[PTP_MAX_SAMPLES][3];
	for (int i = 0; i < n; i++) {
		s[i][0] = pct(&pso.ts[2 * i]);
		s[i][1] = pct(&pso.ts[2 * i + 1]);
		s[i][2] = pct(&pso.ts[2 * i + 2]);
	}
	phc_best_bracket(s, n, ev);
	return 0;
}

static int read_precise(int fd, struct clk_event *ev)
{
	struct ptp_sys_offset_precise pso;
	memset(&pso, 0, sizeof(pso));
	if (ioctl(fd, PTP_SYS_OFFSET_PRECISE, &pso) != 0)
		return -errno;
	ev->sys = pct(&pso.sys_realtime);
	ev->phc = pct(&pso.device);
	ev->bracket_ns = 0;
	return 0;
}

static int read_gettime(int fd, int n, struct clk_event *ev)
{
	struct ptime s[PTP_MAX_SAMPLES][3];
	for (int i = 0; i < n; i++) {
		struct timespec a, p, b;
		if (clock_gettime(CLOCK_REALTIME, &a) || clock_gettime(FD_TO_CLOCKID(fd), &p) ||
		    clock_gettime(CLOCK_REALTIME, &b))
			return -errno;
		s[i][0] = ptime_from_timespec(a);
		s[i][1] = ptime_from_timespec(p);
		s[i][2] = ptime_from_timespec(b);
	}
	phc_best_bracket(s, n, ev);
	return 0;
}

static int read_method(struct phc_dev *d, enum phc_method m, struct clk_event *ev)
{
	switch (m) {
	case PHC_SYSOFF_EXTENDED: return read_extended(d->fd, d->n_samples, ev);
	case PHC_SYSOFF_PRECISE: return read_precise(d->fd, ev);
	case PHC_SYSOFF_BASIC: return read_basic(d->fd, d->n_samples, ev);
	case PHC_GETTIME: return read_gettime(d->fd, d->n_samples, ev);
	default: return -EINVAL;
	}
}

static int phc_next(struct clocksrc *s, int timeout_ms, struct clk_event *ev)
{
	(void)timeout_ms;
	struct phc_dev *d = s->priv;
	memset(ev, 0, sizeof(*ev));
	ev->kind = CLK_PHC_READING;
	if (!d->probed) {
		/* As sysoff_probe: each method up to 3 times while EBUSY, the first that works. */
		enum phc_method first = d->method == PHC_METHOD_AUTO ? PHC_SYSOFF_EXTENDED : d->method;
		enum phc_method last = d->method == PHC_METHOD_AUTO ? PHC_GETTIME : d->method;
		int err = -EINVAL;
		for (int m = first; m <= (int)last; m++) {
			for (int k = 0; k < 3; k++) {
				err = read_method(d, (enum phc_method)m, ev);
				if (err != -EBUSY)
					break;
			}
			if (err == 0) {
				d->method = (enum phc_method)m;
				d->probed = true;
				ev->method = d->method;
				return 1;
			}
			log_debug("%s: %s: %s", s->name, phc_method_name((enum phc_method)m),
				  strerror(-err));
		}
		log_err("%s: cannot read the PHC against CLOCK_REALTIME (%s: %s)", s->name,
			phc_method_name(last), strerror(-err));
		return -1;
	}
	int err;
	for (int k = 0; k < 3; k++)
		if ((err = read_method(d, d->method, ev)) != -EBUSY)
			break;
	if (err) {
		log_err("%s: %s: %s", s->name, phc_method_name(d->method), strerror(-err));
		return -1;
	}
	ev->method = d->method;
	return 1;
}

static void phc_close_dev(struct clocksrc *s)
{
	struct phc_dev *d = s->priv;
	close(d->fd);
	free(d);
}

static const struct clocksrc_ops phc_ops = { phc_next, phc_close_dev };

/* The PHC index of an interface (ethtool -T's "PTP Hardware Clock"), -1 if it has none,
 * -2 if there is no such interface (printed). */
static int iface_phc_index(const char *ifname)
{
	if (if_nametoindex(ifname) == 0) {
		log_err("%s: no such device or interface (this machine has no /dev/ptp* or no "
			"such interface: see 'ls /dev/ptp*', 'ip link')", ifname);
		return -2;
	}
	int sk = socket(AF_INET, SOCK_DGRAM, 0);
	if (sk < 0) {
		log_err("%s: socket: %s", ifname, strerror(errno));
		return -2;
	}
	struct ethtool_ts_info info;
	struct ifreq ifr;
	memset(&info, 0, sizeof(info));
	memset(&ifr, 0, sizeof(ifr));
	info.cmd = ETHTOOL_GET_TS_INFO;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)&info;
	int rc = ioctl(sk, SIOCETHTOOL, &ifr);
	int err = errno;
	close(sk);
	if (rc != 0) {
		log_err("%s: ETHTOOL_GET_TS_INFO: %s", ifname, strerror(err));
		return -2;
	}
	return info.phc_index;
}

/* Opens the PTP clock device behind path-or-interface; -1 after printing why. */
static int open_ptp_device(const char *arg, char *name, size_t nlen)
{
	char path[64];
	if (strchr(arg, '/')) {
		snprintf(name, nlen, "%s", arg);
	} else {
		int idx = iface_phc_index(arg);
		if (idx == -2)
			return -1;
		if (idx < 0) {
			log_err("%s: has no PTP hardware clock (ETHTOOL_GET_TS_INFO phc_index -1: "
				"software timestamping only)", arg);
			return -1;
		}
		snprintf(path, sizeof(path), "/dev/ptp%d", idx);
		snprintf(name, nlen, "%s (PHC of %s)", path, arg);
		arg = path;
	}
	int fd = open(arg, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			log_err("%s: no such device (this machine has no PTP hardware clock there: "
				"see 'ls /dev/ptp*', 'ethtool -T IFACE')", arg);
		else
			log_err("%s: cannot open: %s", arg, strerror(errno));
		return -1;
	}
	struct ptp_clock_caps caps;
	if (ioctl(fd, PTP_CLOCK_GETCAPS, &caps) != 0) {
		log_err("%s: not a PTP hardware clock (PTP_CLOCK_GETCAPS: %s)", arg, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct clocksrc *phc_open(const char *dev_or_iface, int n_samples, enum phc_method method)
{
	char name[128];
	int fd = open_ptp_device(dev_or_iface, name, sizeof(name));
	if (fd < 0)
		return NULL;
	struct phc_dev *d = xcalloc(1, sizeof(*d));
	d->fd = fd;
	d->n_samples = n_samples < 1 ? 1 : n_samples > PTP_MAX_SAMPLES ? PTP_MAX_SAMPLES : n_samples;
	d->method = method;
	struct clocksrc *s = xcalloc(1, sizeof(*s));
	s->ops = &phc_ops;
	s->impl = "device";
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->priv = d;
	return s;
}

int phc_fd(const struct clocksrc *s)
{
	return s->ops == &phc_ops ? ((const struct phc_dev *)s->priv)->fd : -1;
}

bool phc_caps_text(const struct clocksrc *s, char *buf, int len)
{
	struct ptp_clock_caps c;
	int fd = phc_fd(s);
	if (fd < 0 || ioctl(fd, PTP_CLOCK_GETCAPS, &c) != 0) {
		log_err("%s: PTP_CLOCK_GETCAPS: %s", s->name, fd < 0 ? "not a device" : strerror(errno));
		return false;
	}
	snprintf(buf, (size_t)len, "max_adj %d ppb, n_alarm %d, n_ext_ts %d, n_per_out %d, pps %d, "
		 "n_pins %d, cross_timestamping %d", c.max_adj, c.n_alarm, c.n_ext_ts, c.n_per_out,
		 c.pps, c.n_pins, c.cross_timestamping);
	return true;
}

int phc_device_open(const char *dev_or_iface, char *name, size_t nlen)
{
	return open_ptp_device(dev_or_iface, name, nlen);
}

void clocksrc_close(struct clocksrc *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}
