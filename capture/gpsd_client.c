/* gpsd through libgps: events, health state and a reconnecting client (gpsd_client.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gps.h>

#include "capture/gpsd_client.h"
#include "common/cli.h"
#include "common/log.h"

#define NS_PER_S 1000000000LL

const char *gnss_kind_name(enum gnss_kind k)
{
	switch (k) {
	case GNSS_TPV: return "TPV";
	case GNSS_SKY: return "SKY";
	case GNSS_PPS: return "PPS";
	case GNSS_TOFF: return "TOFF";
	case GNSS_DEVICE: return "DEVICE";
	case GNSS_CONNECT: return "CONNECT";
	case GNSS_DISCONNECT: return "DISCONNECT";
	case GNSS_NONE: break;
	}
	return "-";
}

bool gnss_report_class(const char *raw, char *buf, int len)
{
	/* As libgps_json_unpack finds it: the first "class": tag. */
	const char *p = raw ? strstr(raw, "\"class\":\"") : NULL;
	if (!p || len < 1)
		return false;
	p += 9;
	int n = 0;
	while (p[n] && p[n] != '"' && n < len - 1)
		n++;
	if (p[n] != '"')
		return false;
	memcpy(buf, p, (size_t)n);
	buf[n] = '\0';
	return n > 0;
}

/* libgps's own decoder of one report; exported by libgps 3.22-3.26 (libgps_json.c) but
 * declared only in its private libgps.h. */
extern int libgps_json_unpack(const char *buf, struct gps_data_t *gpsdata, const char **end);

bool gnss_unpack(const char *line, struct gps_data_t *g)
{
	/* gps_unpack (libgps_sock.c, 3.22 to 3.26.1) loops "while the rest is not empty" over
	 * libgps_json_unpack(*next, .., next) and stops only on -1. A parse error that leaves
	 * *next where it was repeats forever: '{x"class":"TPV"}' hangs it (found by fuzzing
	 * fuzz_gpsd_report). The same loop here, but it stops when nothing was consumed. */
	if (line[0] != '{')
		return false;
	const char *p = line;
	bool any = false;
	for (int i = 0; i < 64 && p && *p; i++) {
		const char *before = p;
		/* 0: decoded (FILTER() maps unknown attributes to 0); -1: no class; else a
		 * JSON_ERR_* code, after which libgps has already set flags for what it did not
		 * read (a TPV sets STATUS_SET regardless): the report is refused. */
		int st = libgps_json_unpack(p, g, &p);
		if (st != 0) {
			if (st != -1 || !any)
				return false;
			break;
		}
		any = true;
		if (!p || p == before)
			break;
	}
	return any;
}

static void copy_device(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src && src[0] ? src : "-");
	/* Datasets hold no tabs or newlines. */
	for (char *q = dst; *q; q++)
		if (*q == '\t' || *q == '\n' || *q == '\r')
			*q = ' ';
}

bool gnss_event_from_message(const char *raw, const struct gps_data_t *g, int64_t host_ns,
			     int64_t mono_ns, struct gnss_event *ev)
{
	char cls[16];
	memset(ev, 0, sizeof(*ev));
	ev->host_ns = host_ns;
	ev->mono_ns = mono_ns;
	ev->sats_used = ev->sats_visible = -1;
	if (!gnss_report_class(raw, cls, sizeof(cls)))
		return false;
	if (!strcmp(cls, "TPV")) {
		if (!(g->set & MODE_SET) && !(g->set & STATUS_SET))
			return false; /* libgps did not accept it */
		ev->kind = GNSS_TPV;
		ev->mode = g->fix.mode;
		ev->has_time = (g->set & TIME_SET) && g->fix.time.tv_sec != 0;
		if (ev->has_time)
			ev->time = g->fix.time;
		copy_device(ev->device, sizeof(ev->device), g->dev.path);
		return true;
	}
	if (!strcmp(cls, "SKY")) {
		if (!(g->set & SATELLITE_SET))
			return false;
		ev->kind = GNSS_SKY;
		ev->sats_used = g->satellites_used;
		ev->sats_visible = g->satellites_visible;
		copy_device(ev->device, sizeof(ev->device), g->dev.path);
		return true;
	}
	if (!strcmp(cls, "PPS")) {
		if (!(g->set & PPS_SET))
			return false;
		ev->kind = GNSS_PPS;
		ev->real = g->pps.real;
		ev->clock = g->pps.clock;
		ev->qerr_ps = g->qErr;
		copy_device(ev->device, sizeof(ev->device), g->dev.path);
		return true;
	}
	if (!strcmp(cls, "TOFF")) {
		/* libgps 3.22 put TOFF into ->pps: decode the raw report with the right decoder. */
		struct gps_data_t *scratch = calloc(1, sizeof(*scratch));
		if (!scratch)
			return false;
		bool ok = json_toff_read(raw, scratch, NULL) == 0;
		if (ok) {
			ev->kind = GNSS_TOFF;
			ev->real = scratch->toff.real;
			ev->clock = scratch->toff.clock;
			copy_device(ev->device, sizeof(ev->device), scratch->dev.path);
		}
		free(scratch);
		return ok;
	}
	if (!strcmp(cls, "DEVICE")) {
		/* gpsd 3.22 says a device went away with "activated":0, a number where libgps's
		 * json_device_read wants a time string: the path is read but DEVICE_SET stays
		 * clear (seen with gpsfake's closing report). */
		bool gone = strstr(raw, "\"activated\":0") != NULL;
		if (!(g->set & DEVICE_SET) && !gone)
			return false;
		ev->kind = GNSS_DEVICE;
		ev->device_active = !gone && g->dev.activated.tv_sec != 0;
		copy_device(ev->device, sizeof(ev->device), g->dev.path);
		return true;
	}
	return false;
}

int64_t gnss_event_offset_ns(const struct gnss_event *ev)
{
	return ((int64_t)ev->clock.tv_sec - (int64_t)ev->real.tv_sec) * NS_PER_S +
	       (ev->clock.tv_nsec - ev->real.tv_nsec);
}

/* ---- health ---- */

void gnss_limits_default(struct gnss_limits *lim)
{
	lim->fix_timeout_s = 3;
	lim->pps_timeout_s = 3;
	lim->min_sats = 0;
}

void gnss_state_init(struct gnss_state *s, const struct gnss_limits *lim, int64_t mono_ns)
{
	memset(s, 0, sizeof(*s));
	s->lim = *lim;
	s->sats_used = s->sats_visible = -1;
	s->start_mono = s->fix_change_mono = s->pps_change_mono = mono_ns;
	snprintf(s->fix_reason, sizeof(s->fix_reason), "no fix reported yet");
	snprintf(s->pps_reason, sizeof(s->pps_reason), "no PPS seen yet");
}

static unsigned set_fix(struct gnss_state *s, bool ok, int64_t mono, const char *why)
{
	if (s->fix_ok == ok)
		return 0;
	s->fix_ok = ok;
	s->fix_change_mono = mono;
	snprintf(s->fix_reason, sizeof(s->fix_reason), "%s", why);
	return GNSS_CHANGED_FIX;
}

static unsigned set_pps(struct gnss_state *s, bool ok, int64_t mono, const char *why)
{
	if (s->pps_ok == ok)
		return 0;
	s->pps_ok = ok;
	s->pps_change_mono = mono;
	snprintf(s->pps_reason, sizeof(s->pps_reason), "%s", why);
	return GNSS_CHANGED_PPS;
}

static unsigned eval_fix(struct gnss_state *s, int64_t mono)
{
	char why[96];
	if (s->mode < 2) {
		snprintf(why, sizeof(why), "TPV mode %d (%s)", s->mode, s->mode == 1 ? "no fix" : "unknown");
		return set_fix(s, false, mono, why);
	}
	if (s->lim.min_sats > 0 && s->sats_used >= 0 && s->sats_used < s->lim.min_sats) {
		snprintf(why, sizeof(why), "%d satellites used, fewer than %d", s->sats_used,
			 s->lim.min_sats);
		return set_fix(s, false, mono, why);
	}
	snprintf(why, sizeof(why), "TPV mode %d (%s fix)", s->mode, s->mode == 2 ? "2D" : "3D");
	return set_fix(s, true, mono, why);
}

unsigned gnss_state_feed(struct gnss_state *s, const struct gnss_event *ev)
{
	unsigned ch = 0;
	int64_t t = ev->mono_ns;
	switch (ev->kind) {
	case GNSS_CONNECT:
		if (!s->connected)
			ch |= GNSS_CHANGED_CONN;
		s->connected = true;
		break;
	case GNSS_DISCONNECT:
		if (s->connected)
			ch |= GNSS_CHANGED_CONN;
		s->connected = false;
		s->mode = 0;
		ch |= set_fix(s, false, t, "connection to gpsd lost");
		ch |= set_pps(s, false, t, "connection to gpsd lost");
		break;
	case GNSS_TPV:
		s->last_tpv_mono = t;
		s->mode = ev->mode;
		if (ev->mode >= 2) {
			s->last_fix_mono = t;
			s->fix_seen = true;
		}
		ch |= eval_fix(s, t);
		break;
	case GNSS_SKY:
		s->sats_used = ev->sats_used;
		s->sats_visible = ev->sats_visible;
		if (s->lim.min_sats > 0 && s->last_tpv_mono)
			ch |= eval_fix(s, t);
		break;
	case GNSS_PPS:
		s->last_pps_mono = t;
		s->pps_seen = true;
		ch |= set_pps(s, true, t, "PPS");
		break;
	case GNSS_DEVICE:
		if (!ev->device_active) {
			s->mode = 0;
			ch |= set_fix(s, false, t, "device deactivated");
			ch |= set_pps(s, false, t, "device deactivated");
		}
		break;
	case GNSS_TOFF:
	case GNSS_NONE:
		break;
	}
	return ch | gnss_state_tick(s, t);
}

unsigned gnss_state_tick(struct gnss_state *s, int64_t mono_ns)
{
	unsigned ch = 0;
	char why[96];
	double fix_age = (double)(mono_ns - s->last_fix_mono) / 1e9;
	if (s->fix_ok && fix_age > s->lim.fix_timeout_s) {
		snprintf(why, sizeof(why), "no fix reported for %.1f s", s->lim.fix_timeout_s);
		ch |= set_fix(s, false, s->last_fix_mono + (int64_t)(s->lim.fix_timeout_s * 1e9), why);
	}
	double pps_age = (double)(mono_ns - s->last_pps_mono) / 1e9;
	if (s->pps_ok && pps_age > s->lim.pps_timeout_s) {
		snprintf(why, sizeof(why), "no PPS for %.1f s", s->lim.pps_timeout_s);
		ch |= set_pps(s, false, s->last_pps_mono + (int64_t)(s->lim.pps_timeout_s * 1e9), why);
	}
	return ch;
}

void gnss_state_health(const struct gnss_state *s, int64_t mono_ns, struct gnss_health *h)
{
	memset(h, 0, sizeof(*h));
	h->connected = s->connected;
	h->fix_ok = s->fix_ok;
	h->pps_ok = s->pps_ok;
	h->pps_seen = s->pps_seen;
	h->mode = s->mode;
	h->sats_used = s->sats_used;
	h->sats_visible = s->sats_visible;
	h->fix_lost_s = s->fix_ok ? 0 : (double)(mono_ns - s->fix_change_mono) / 1e9;
	h->pps_lost_s = s->pps_ok ? 0 : (double)(mono_ns - s->pps_change_mono) / 1e9;
	h->since_tpv_s = s->last_tpv_mono ? (double)(mono_ns - s->last_tpv_mono) / 1e9 : -1;
}

/* ---- connection ---- */

struct gpsd_client {
	char *host, *port, *device;
	struct gps_data_t g;
	bool open;
	int connections;
	int64_t next_try_mono, backoff_ns;
	bool reported; /* the current outage was reported */
	/* Reports are read here, not with gps_read(): gps_read runs gps_unpack, which can hang
	 * (see gnss_unpack). 10240: gpsd.h GPS_JSON_RESPONSE_MAX. */
	char buf[2 * 10240 + 2];
	size_t have;
	bool discarding; /* inside an over-long line: drop it up to its newline */
	uint64_t bad_reports;
};

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

struct gpsd_client *gpsd_client_new(const char *host, const char *port, const char *device)
{
	struct gpsd_client *c = xcalloc(1, sizeof(*c));
	c->host = xstrdup(host ? host : "localhost");
	c->port = xstrdup(port ? port : DEFAULT_GPSD_PORT);
	c->device = device ? xstrdup(device) : NULL;
	c->backoff_ns = NS_PER_S / 2;
	return c;
}

void gpsd_client_free(struct gpsd_client *c)
{
	if (!c)
		return;
	if (c->open) {
		gps_stream(&c->g, WATCH_DISABLE, NULL);
		gps_close(&c->g);
	}
	free(c->host);
	free(c->port);
	free(c->device);
	free(c);
}

bool gpsd_client_connected(const struct gpsd_client *c)
{
	return c->open;
}

bool gpsd_address_arg(const char *opt, const char *arg, char *host, size_t hostlen, char *port,
		      size_t portlen)
{
	const char *colon = strrchr(arg, ':');
	if (colon && strchr(arg, ':') == colon) {
		char what[64];
		long lv;
		snprintf(what, sizeof(what), "%s port", opt);
		if (!parse_int_arg(what, colon + 1, 1, 65535, &lv))
			return false;
		snprintf(host, hostlen, "%.*s", (int)(colon - arg), arg);
		snprintf(port, portlen, "%ld", lv);
	} else {
		snprintf(host, hostlen, "%s", arg);
	}
	if (!host[0]) {
		usage_error("%s: no host in '%s'", opt, arg);
		return false;
	}
	return true;
}

int gpsd_client_fd(const struct gpsd_client *c)
{
	return c->open ? c->g.gps_fd : -1;
}

int gpsd_client_connections(const struct gpsd_client *c)
{
	return c->connections;
}

static void emit(struct gpsd_client *c, enum gnss_kind k,
		 void (*cb)(void *, const struct gnss_event *), void *ctx)
{
	struct gnss_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = k;
	ev.host_ns = now_ns(CLOCK_REALTIME);
	ev.mono_ns = now_ns(CLOCK_MONOTONIC);
	ev.sats_used = ev.sats_visible = -1;
	copy_device(ev.device, sizeof(ev.device), c->device);
	cb(ctx, &ev);
}

static bool try_connect(struct gpsd_client *c, char *err, int errlen)
{
	memset(&c->g, 0, sizeof(c->g));
	if (gps_open(c->host, c->port, &c->g) != 0) {
		/* gps_open returns -1 and leaves the reason in errno (negative values are
		 * libgps's own codes, for gps_errstr). */
		int e = errno;
		if (err && !c->reported)
			snprintf(err, (size_t)errlen, "gpsd at %s:%s: %s", c->host, c->port,
				 e > 0 ? strerror(e) : gps_errstr(e));
		c->reported = true;
		return false;
	}
	/* WATCH_PPS: PPS and TOFF reports (gpsd_json "pps":true). */
	unsigned flags = WATCH_ENABLE | WATCH_JSON | WATCH_PPS;
	if (c->device)
		flags |= WATCH_DEVICE;
	if (gps_stream(&c->g, flags, c->device) != 0) {
		if (err && !c->reported)
			snprintf(err, (size_t)errlen, "gpsd at %s:%s: cannot start the watch: %s",
				 c->host, c->port, strerror(errno));
		c->reported = true;
		gps_close(&c->g);
		return false;
	}
	c->open = true;
	c->have = 0;
	c->discarding = false;
	c->connections++;
	c->reported = false;
	c->backoff_ns = NS_PER_S / 2;
	return true;
}

static void drop(struct gpsd_client *c, int64_t mono)
{
	gps_close(&c->g);
	c->open = false;
	c->next_try_mono = mono + c->backoff_ns;
}

int gpsd_client_poll(struct gpsd_client *c, int timeout_ms,
		     void (*cb)(void *ctx, const struct gnss_event *ev), void *ctx, char *err,
		     int errlen)
{
	int n = 0;
	if (err && errlen > 0)
		err[0] = '\0';
	int64_t mono = now_ns(CLOCK_MONOTONIC);
	int64_t deadline = mono + (int64_t)timeout_ms * 1000000;
	if (!c->open) {
		if (mono < c->next_try_mono) {
			int64_t wait = c->next_try_mono < deadline ? c->next_try_mono - mono : deadline - mono;
			struct timespec ts = { (time_t)(wait / NS_PER_S), (long)(wait % NS_PER_S) };
			nanosleep(&ts, NULL);
			return 0;
		}
		if (!try_connect(c, err, errlen)) {
			c->next_try_mono = mono + c->backoff_ns;
			if (c->backoff_ns < 8 * NS_PER_S)
				c->backoff_ns *= 2;
			return 0;
		}
		emit(c, GNSS_CONNECT, cb, ctx);
		n++;
	}
	for (;;) {
		/* Every complete line in the buffer first. */
		char *nl;
		while ((nl = memchr(c->buf, '\n', c->have))) {
			size_t len = (size_t)(nl - c->buf) + 1;
			*nl = '\0';
			if (nl > c->buf && nl[-1] == '\r')
				nl[-1] = '\0';
			if (c->discarding) {
				c->discarding = false;
			} else {
				struct gnss_event ev;
				/* "set since this was last cleared": the client clears it */
				c->g.set = 0;
				if (!gnss_unpack(c->buf, &c->g))
					c->bad_reports++;
				else if (gnss_event_from_message(c->buf, &c->g, now_ns(CLOCK_REALTIME),
								 now_ns(CLOCK_MONOTONIC), &ev)) {
					cb(ctx, &ev);
					n++;
				}
			}
			memmove(c->buf, c->buf + len, c->have - len);
			c->have -= len;
		}
		if (c->have == sizeof(c->buf)) { /* a line longer than any report: drop it */
			c->have = 0;
			c->discarding = true;
			c->bad_reports++;
		}
		mono = now_ns(CLOCK_MONOTONIC);
		if (mono >= deadline)
			break;
		struct pollfd pfd = { .fd = c->g.gps_fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)((deadline - mono + 999999) / 1000000));
		if (pr < 0 && errno == EINTR)
			break;
		if (pr <= 0)
			break;
		ssize_t r = recv(c->g.gps_fd, c->buf + c->have, sizeof(c->buf) - c->have, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r <= 0) { /* closed or failed: gpsd went away */
			drop(c, now_ns(CLOCK_MONOTONIC));
			emit(c, GNSS_DISCONNECT, cb, ctx);
			return n + 1;
		}
		c->have += (size_t)r;
	}
	return n;
}
