#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/pmc_uds.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pmc_uds_open(struct pmc_uds *u, const char *server_path, uint8_t domain, char *err,
		 size_t errlen)
{
	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->domain = domain;
	if (strlen(server_path) >= sizeof(u->remote.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a UNIX socket", server_path);
		return -1;
	}
	struct stat st;
	if (stat(server_path, &st) != 0) {
		snprintf(err, errlen, "%s: %s (is ptp4l running? its uds_address)", server_path,
			 strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: not a socket", server_path);
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 60)
		tmp = "/tmp";
	snprintf(u->dir, sizeof(u->dir), "%s/ptpcal-pmc-XXXXXX", tmp);
	if (!mkdtemp(u->dir)) {
		snprintf(err, errlen, "%s: cannot create a directory for our socket: %s", u->dir,
			 strerror(errno));
		u->dir[0] = '\0';
		return -1;
	}
	u->local.sun_family = AF_UNIX;
	size_t dl = strlen(u->dir); /* at most 60 + 19 bytes, checked above */
	memcpy(u->local.sun_path, u->dir, dl);
	memcpy(u->local.sun_path + dl, "/s", 3);
	u->remote.sun_family = AF_UNIX;
	snprintf(u->remote.sun_path, sizeof(u->remote.sun_path), "%s", server_path);
	u->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u->fd < 0 || bind(u->fd, (struct sockaddr *)&u->local, sizeof(u->local)) != 0) {
		snprintf(err, errlen, "%s: cannot bind a UNIX socket: %s", u->local.sun_path,
			 strerror(errno));
		pmc_uds_close(u);
		return -1;
	}
	/* ptp4l sends its answer back to our path: it runs as root, we may not (0777 on a
	 * socket in our private 0700 directory is still private to root and us). */
	chmod(u->local.sun_path, 0666);
	/* sourcePortIdentity: any; the port number distinguishes concurrent clients as pmc's
	 * does (pmc_common.c uses the PID). */
	static const uint8_t clock[8] = { 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x01 };
	memcpy(u->source.clock, clock, 8);
	u->source.port = (uint16_t)getpid();
	u->seq = (uint16_t)(getpid() * 7u);
	return 0;
}

void pmc_uds_close(struct pmc_uds *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	if (u->local.sun_path[0])
		unlink(u->local.sun_path);
	if (u->dir[0])
		rmdir(u->dir);
	u->local.sun_path[0] = '\0';
	u->dir[0] = '\0';
}

int pmc_uds_query(struct pmc_uds *u, enum pmc_action action, uint16_t id, const uint8_t *data,
		  size_t data_len, struct pmc_answer *out, int max, int timeout_ms, char *err,
		  size_t errlen)
{
	struct pmc_request rq = {
		.domain = u->domain,
		.boundary_hops = 0,
		.source = u->source,
		.seq = u->seq++,
		.action = action,
		.id = id,
		.data = data,
		.data_len = data_len,
	};
	uint8_t buf[1500];
	size_t len = pmc_encode(&rq, buf, sizeof(buf));
	if (len == 0) {
		snprintf(err, errlen, "request too long");
		return -1;
	}
	/* drop stale answers to earlier requests */
	uint8_t junk[1500];
	while (recv(u->fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	if (sendto(u->fd, buf, len, 0, (struct sockaddr *)&u->remote, sizeof(u->remote)) < 0) {
		snprintf(err, errlen, "%s: %s (is ptp4l running?)", u->remote.sun_path, strerror(errno));
		return -1;
	}
	int n = 0;
	long long deadline = now_ms() + timeout_ms;
	while (n < max) {
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			break;
		ssize_t r = recv(u->fd, out[n].buf, sizeof(out[n].buf), 0);
		if (r <= 0)
			continue;
		out[n].len = (size_t)r;
		const char *why;
		if (!pmc_decode(out[n].buf, out[n].len, &out[n].r, &why))
			continue;
		if (out[n].r.seq != rq.seq || out[n].r.id != id)
			continue;
		n++;
		/* more ports may answer; they do so at once */
		long long quiet = now_ms() + 100;
		if (quiet < deadline)
			deadline = quiet;
	}
	return n;
}
