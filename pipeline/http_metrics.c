/* See http_metrics.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "pipeline/http_metrics.h"

/* ---- parsing ------------------------------------------------------------------------------ */

/* Where the head ends (just after the blank line: CRLF CRLF, or LF LF from lenient clients),
 * or 0 if it has not ended yet. */
static size_t head_end(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] != '\n')
			continue;
		if (i + 1 < n && b[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool is_tchar(char c) /* RFC 9110 token characters, enough for a method */
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

enum http_parse http_parse_request(const char *buf, size_t len, struct http_request *out)
{
	memset(out, 0, sizeof(*out));
	out->target = HTTP_T_OTHER;
	size_t end = head_end(buf, len);
	if (end == 0)
		return len >= HTTP_MAX_REQUEST ? HTTP_TOO_LARGE : HTTP_NEED_MORE;
	if (end > HTTP_MAX_REQUEST)
		return HTTP_TOO_LARGE;
	/* RFC 9112 2.2: a server should ignore at least one empty line before the request */
	size_t i = 0;
	while (i < end && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == end)
		return HTTP_BAD;
	/* request-line = method SP request-target SP HTTP-version */
	size_t m0 = i;
	while (i < end && is_tchar(buf[i]))
		i++;
	size_t mlen = i - m0;
	if (mlen == 0 || i >= end || buf[i] != ' ')
		return HTTP_BAD;
	i++;
	size_t t0 = i;
	while (i < end && buf[i] > ' ' && buf[i] != 0x7f)
		i++;
	size_t tlen = i - t0;
	if (tlen == 0 || i >= end || buf[i] != ' ')
		return HTTP_BAD;
	i++;
	size_t v0 = i;
	while (i < end && buf[i] != '\r' && buf[i] != '\n')
		i++;
	size_t vlen = i - v0;
	if (buf[i] == '\r' && (i + 1 >= end || buf[i + 1] != '\n'))
		return HTTP_BAD;
	/* header fields: "name: value"; no obsolete line folding, no control characters */
	size_t h = i + (buf[i] == '\r' ? 2 : 1);
	while (h < end) {
		size_t e = h;
		while (e < end && buf[e] != '\n')
			e++;
		size_t l = e - h;
		if (l > 0 && buf[h + l - 1] == '\r')
			l--;
		if (l == 0)
			break; /* the blank line */
		if (buf[h] == ' ' || buf[h] == '\t')
			return HTTP_BAD;
		size_t c = h;
		while (c < h + l && is_tchar(buf[c]))
			c++;
		if (c == h || c >= h + l || buf[c] != ':')
			return HTTP_BAD;
		for (size_t k = c; k < h + l; k++)
			if ((unsigned char)buf[k] < 0x20 && buf[k] != '\t')
				return HTTP_BAD;
		h = e + 1;
	}
	if (!(vlen == 8 && (memcmp(buf + v0, "HTTP/1.1", 8) == 0 || memcmp(buf + v0, "HTTP/1.0", 8) == 0))) {
		if (vlen >= 5 && memcmp(buf + v0, "HTTP/", 5) == 0)
			return HTTP_BAD_VERSION;
		return HTTP_BAD;
	}
	if (mlen == 3 && memcmp(buf + m0, "GET", 3) == 0)
		out->head = false;
	else if (mlen == 4 && memcmp(buf + m0, "HEAD", 4) == 0)
		out->head = true;
	else
		return HTTP_BAD_METHOD;
	/* origin-form path, its query ignored (Prometheus sends none; curl users may) */
	size_t plen = 0;
	while (plen < tlen && buf[t0 + plen] != '?')
		plen++;
	if (plen == 8 && memcmp(buf + t0, "/metrics", 8) == 0)
		out->target = HTTP_T_METRICS;
	else if (plen == 1 && buf[t0] == '/')
		out->target = HTTP_T_ROOT;
	return HTTP_OK;
}

const char *http_status_line(enum http_parse p, enum http_target t)
{
	switch (p) {
	case HTTP_OK:
		return t == HTTP_T_OTHER ? "404 Not Found" : "200 OK";
	case HTTP_TOO_LARGE: return "431 Request Header Fields Too Large";
	case HTTP_BAD_METHOD: return "405 Method Not Allowed";
	case HTTP_BAD_VERSION: return "505 HTTP Version Not Supported";
	case HTTP_NEED_MORE: return "408 Request Timeout";
	case HTTP_BAD:
	default: return "400 Bad Request";
	}
}

/* ---- the server --------------------------------------------------------------------------- */

int http_listen(struct http_server *s, const char *addr, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	for (int i = 0; i < HTTP_MAX_CONNS; i++)
		s->conns[i].fd = -1;
	const char *colon = strrchr(addr, ':');
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "--listen '%s': expected HOST:PORT (127.0.0.1:9477, [::1]:9477, :9477)",
			 addr);
		return -1;
	}
	char host[64];
	size_t hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	} else if (memchr(addr, ':', hl)) {
		snprintf(err, errlen, "--listen '%s': an IPv6 address goes in brackets: [::1]:9477", addr);
		return -1;
	}
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "--listen: host too long");
		return -1;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535) {
		snprintf(err, errlen, "--listen: '%s' is not a port (1..65535)", colon + 1);
		return -1;
	}
	const char *h = host[0] ? host : NULL;
	if (h && strcmp(h, "localhost") == 0)
		h = "127.0.0.1";
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	char ps[8];
	snprintf(ps, sizeof(ps), "%ld", port);
	int gr = getaddrinfo(h, ps, &hints, &ai);
	if (gr != 0) {
		snprintf(err, errlen, "--listen: '%s' is not a numeric address: %s", host, gai_strerror(gr));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen, "--listen %s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	s->fd = fd;
	snprintf(s->bound, sizeof(s->bound), "%s%s%s:%ld", h && strchr(h, ':') ? "[" : "",
		 h ? h : "*", h && strchr(h, ':') ? "]" : "", port);
	return 0;
}

static void conn_close(struct http_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->in_len = c->out_len = c->out_off = 0;
}

void http_close(struct http_server *s)
{
	for (int i = 0; i < HTTP_MAX_CONNS; i++)
		conn_close(&s->conns[i]);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int http_pollfds(const struct http_server *s, struct pollfd *pfd)
{
	int n = 0;
	pfd[n++] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	for (int i = 0; i < HTTP_MAX_CONNS; i++) {
		const struct http_conn *c = &s->conns[i];
		if (c->fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = c->fd, .events = c->out ? POLLOUT : POLLIN };
	}
	return n;
}

static void respond(struct http_conn *c, const char *status, const char *type, const char *body,
		    size_t blen, bool head)
{
	char hdr[256];
	int hn = snprintf(hdr, sizeof(hdr),
			  "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n",
			  status, type, blen);
	size_t total = (size_t)hn + (head ? 0 : blen);
	c->out = xmalloc(total);
	memcpy(c->out, hdr, (size_t)hn);
	if (!head)
		memcpy(c->out + hn, body, blen);
	c->out_len = total;
	c->out_off = 0;
}

static void respond_error(struct http_server *s, struct http_conn *c, const char *status)
{
	char body[128];
	int n = snprintf(body, sizeof(body), "%s\n", status);
	s->refused++;
	respond(c, status, "text/plain; charset=utf-8", body, (size_t)n, false);
}

static void on_request(struct http_server *s, struct http_conn *c,
		       void (*body)(void *ctx, const char **text, size_t *len), void *ctx)
{
	struct http_request rq;
	enum http_parse p = http_parse_request(c->in, c->in_len, &rq);
	if (p == HTTP_NEED_MORE)
		return;
	if (p != HTTP_OK || rq.target == HTTP_T_OTHER) {
		respond_error(s, c, http_status_line(p, rq.target));
		return;
	}
	if (rq.target == HTTP_T_ROOT) {
		static const char idx[] = "ptpcal monitor: the metrics are at /metrics\n";
		respond(c, "200 OK", "text/plain; charset=utf-8", idx, sizeof(idx) - 1, rq.head);
		return;
	}
	const char *text;
	size_t len;
	body(ctx, &text, &len);
	s->served++;
	respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", text, len, rq.head);
}

void http_service(struct http_server *s, const struct pollfd *pfd, int npfd, int64_t now_mono,
		  void (*body)(void *ctx, const char **text, size_t *len), void *ctx)
{
	for (int k = 1; k < npfd; k++) {
		struct http_conn *c = NULL;
		for (int i = 0; i < HTTP_MAX_CONNS; i++)
			if (s->conns[i].fd == pfd[k].fd)
				c = &s->conns[i];
		if (!c || !pfd[k].revents)
			continue;
		if (c->out) {
			ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				c->out_off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || c->out_off == c->out_len)
				conn_close(c);
			continue;
		}
		ssize_t r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(c); /* the client went away before asking */
			continue;
		}
		if (r > 0)
			c->in_len += (size_t)r;
		on_request(s, c, body, ctx);
	}
	/* slow or silent clients: a one-line 408 (best effort) and closed */
	for (int i = 0; i < HTTP_MAX_CONNS; i++) {
		struct http_conn *c = &s->conns[i];
		if (c->fd >= 0 && now_mono > c->deadline_mono) {
			if (!c->out) {
				respond_error(s, c, "408 Request Timeout");
				(void)!send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
			}
			conn_close(c);
		}
	}
	if (npfd > 0 && (pfd[0].revents & POLLIN)) {
		for (;;) {
			int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd < 0)
				break;
			struct http_conn *c = NULL;
			for (int i = 0; i < HTTP_MAX_CONNS && !c; i++)
				if (s->conns[i].fd < 0)
					c = &s->conns[i];
			if (!c) {
				/* full: refuse rather than queue without bound */
				static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
							   "Connection: close\r\n\r\n";
				(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
				close(fd);
				s->refused++;
				continue;
			}
			c->fd = fd;
			c->in_len = 0;
			c->deadline_mono = now_mono + (int64_t)HTTP_TIMEOUT_MS * 1000000;
		}
	}
}
