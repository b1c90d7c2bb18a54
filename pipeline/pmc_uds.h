/* Talking to ptp4l's management socket like linuxptp's `pmc -u`: a UNIX datagram socket
 * bound to a private path (linuxptp uds.c binds pmc to /var/run/pmc.PID; ptpcal uses a fresh
 * directory under $TMPDIR or /tmp), requests sent to ptp4l's uds_address (config.c default
 * /var/run/ptp4l up to v4.4), answers read back with their sequence id checked. */
#ifndef PTPCAL_PMC_UDS_H
#define PTPCAL_PMC_UDS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "pipeline/pmc_wire.h"

#define PMC_DEFAULT_UDS "/var/run/ptp4l"

struct pmc_uds {
	int fd;
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockaddr_un local, remote;
	uint16_t seq;
	uint8_t domain;
	struct ptp_port_id source;
};

struct pmc_answer {
	uint8_t buf[1500];
	size_t len;
	struct pmc_response r; /* points into buf */
};

/* Open a client for ptp4l's socket at server_path. 0, or -1 after writing a one-line reason
 * to err (the path is not a socket, too long, ...). */
int pmc_uds_open(struct pmc_uds *u, const char *server_path, uint8_t domain, char *err,
		 size_t errlen);
void pmc_uds_close(struct pmc_uds *u);

/* Send one request (GET when data is NULL, else SET with that dataField) and collect the
 * answers with its sequence id: up to max, waiting at most timeout_ms in all and 100 ms after
 * the last answer (ptp4l answers once per port for port datasets). Returns the number of
 * answers (0 = no answer: ptp4l not running, another domain, ...), or -1 after writing the
 * reason to err (send failed). */
int pmc_uds_query(struct pmc_uds *u, enum pmc_action action, uint16_t id, const uint8_t *data,
		  size_t data_len, struct pmc_answer *out, int max, int timeout_ms, char *err,
		  size_t errlen);

#endif
