/* A minimal HTTP/1.1 responder for Prometheus scrapes: GET (or HEAD) /metrics on a listening
 * TCP socket, one response per connection (Connection: close), driven by poll(2) from the
 * monitor's loop so that a slow or silent client never stalls the polling of the sources.
 * Bounded: at most HTTP_MAX_CONNS clients at once, HTTP_MAX_REQUEST bytes of request head,
 * HTTP_TIMEOUT_MS to send it; anything else gets a one-line error status and is closed. */
#ifndef PTPCAL_HTTP_METRICS_H
#define PTPCAL_HTTP_METRICS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_REQUEST 8192
#define HTTP_MAX_CONNS 8
#define HTTP_TIMEOUT_MS 5000

/* ---- the request head: pure, for the unit tests and the fuzz target ---- */
enum http_parse {
	HTTP_NEED_MORE,   /* no blank line yet */
	HTTP_OK,          /* a request for what `target` names */
	HTTP_BAD,         /* 400: malformed request line or header */
	HTTP_TOO_LARGE,   /* 431: head longer than HTTP_MAX_REQUEST */
	HTTP_BAD_METHOD,  /* 405: not GET or HEAD */
	HTTP_BAD_VERSION, /* 505: not HTTP/1.0 or HTTP/1.1 */
};
enum http_target { HTTP_T_METRICS, HTTP_T_ROOT, HTTP_T_OTHER };

struct http_request {
	bool head;               /* HEAD: headers only */
	enum http_target target; /* /metrics (a query string is ignored), /, anything else */
};

/* Parse the request head in buf[0..len) (not NUL-terminated, may hold any bytes). */
enum http_parse http_parse_request(const char *buf, size_t len, struct http_request *out);
/* Status code and reason phrase of a parse result or target ("404 Not Found"). */
const char *http_status_line(enum http_parse p, enum http_target t);

/* ---- the server ---- */
struct http_conn {
	int fd;                 /* -1: free slot */
	int64_t deadline_mono;  /* ns */
	char in[HTTP_MAX_REQUEST];
	size_t in_len;
	char *out;              /* the response, while it is being sent */
	size_t out_len, out_off;
};

struct http_server {
	int fd;
	struct http_conn conns[HTTP_MAX_CONNS];
	uint64_t served, refused;
	char bound[80]; /* "127.0.0.1:9477" as bound */
};

/* Listen on "HOST:PORT", "[V6]:PORT" or ":PORT" (every address). Numeric hosts only (a
 * service must not wait for DNS), plus "localhost". -1 with a one-line reason in err. */
int http_listen(struct http_server *s, const char *addr, char *err, size_t errlen);
void http_close(struct http_server *s);
/* The descriptors to poll (the listener and every connection): returns how many it wrote
 * (at most 1 + HTTP_MAX_CONNS). */
int http_pollfds(const struct http_server *s, struct pollfd *pfd);
/* Handle what poll reported. body() is called for every /metrics request to get the text
 * (body, len); it stays owned by the caller. */
void http_service(struct http_server *s, const struct pollfd *pfd, int npfd, int64_t now_mono,
		  void (*body)(void *ctx, const char **text, size_t *len), void *ctx);

#endif
