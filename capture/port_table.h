/* A map from (domain, port identity) to a small integer, for per-master and per-slave state.
 * Open addressing; bounded, so a hostile capture with millions of identities cannot exhaust
 * memory (beyond PORT_TABLE_MAX, lookups fail and the caller counts the overflow). */
#ifndef PTPCAL_PORT_TABLE_H
#define PTPCAL_PORT_TABLE_H

#include <stdint.h>
#include <string.h>

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
/* The hash-table halves of port_table_find and port_table_get (no last-hit check). */
int32_t port_table_probe(struct port_table *t, uint8_t domain, const struct ptp_port_id *id);
int32_t port_table_insert(struct port_table *t, uint8_t domain, const struct ptp_port_id *id,
			  int *created);

static inline int port_key_eq(const struct port_key *k, uint8_t domain,
			      const struct ptp_port_id *id)
{
	uint64_t a, b;
	memcpy(&a, k->id.clock, 8);
	memcpy(&b, id->clock, 8);
	return a == b && k->id.port == id->port && k->domain == domain;
}

/* The last key found is checked inline: in a capture, nearly every lookup repeats it (one
 * master, one slave), and the call and hash were a measurable part of the per-packet cost. */
static inline int32_t port_table_last_hit(const struct port_table *t, uint8_t domain,
					  const struct ptp_port_id *id)
{
	return t->last >= 0 && port_key_eq(&t->keys[t->last], domain, id) ? t->last : -1;
}

/* Index of the key, inserting it if new (*created set). -1 when the table is full. */
static inline int32_t port_table_get(struct port_table *t, uint8_t domain,
				     const struct ptp_port_id *id, int *created)
{
	int32_t s = port_table_last_hit(t, domain, id);
	if (s >= 0) {
		*created = 0;
		return s;
	}
	return port_table_insert(t, domain, id, created);
}

/* Index of the key or -1; never inserts. */
static inline int32_t port_table_find(struct port_table *t, uint8_t domain,
				      const struct ptp_port_id *id)
{
	int32_t s = port_table_last_hit(t, domain, id);
	return s >= 0 ? s : port_table_probe(t, domain, id);
}

#endif
