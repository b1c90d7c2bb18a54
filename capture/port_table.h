/* A map from (domain, port identity) to a small integer, for per-master and per-slave state.
 * Open addressing; bounded, so a hostile capture with millions of identities cannot exhaust
 * memory (beyond PORT_TABLE_MAX, lookups fail and the caller counts the overflow). */
#ifndef PTPCAL_PORT_TABLE_H
#define PTPCAL_PORT_TABLE_H

#include <stdint.h>

#include "capture/ptp_wire.h"

#define PORT_TABLE_MAX 65536

struct port_key {
	struct ptp_port_id id;
	uint8_t domain;
};

struct port_table {
	struct port_key *keys;
	int32_t *slots; /* -1 empty, else index into keys */
	uint32_t cap;   /* slots, a power of two */
	uint32_t n;
	int32_t last; /* index of the last key found: most lookups repeat it */
};

void port_table_init(struct port_table *t);
void port_table_free(struct port_table *t);
/* Index of the key, inserting it if new (*created set). -1 when the table is full. */
int32_t port_table_get(struct port_table *t, uint8_t domain, const struct ptp_port_id *id,
		       int *created);
/* Index of the key or -1; never inserts. */
int32_t port_table_find(struct port_table *t, uint8_t domain, const struct ptp_port_id *id);

#endif
