#include <stdlib.h>
#include <string.h>

#include "capture/port_table.h"
#include "common/log.h"

void port_table_init(struct port_table *t)
{
	memset(t, 0, sizeof(*t));
	t->last = -1;
}

void port_table_free(struct port_table *t)
{
	free(t->keys);
	free(t->slots);
	memset(t, 0, sizeof(*t));
	t->last = -1;
}

static uint32_t hash(uint8_t domain, const struct ptp_port_id *id)
{
	/* FNV-1a over the 11 key bytes. */
	uint32_t h = 2166136261u;
	for (int i = 0; i < 8; i++)
		h = (h ^ id->clock[i]) * 16777619u;
	h = (h ^ (id->port >> 8)) * 16777619u;
	h = (h ^ (id->port & 0xff)) * 16777619u;
	h = (h ^ domain) * 16777619u;
	return h;
}

int32_t port_table_probe(struct port_table *t, uint8_t domain, const struct ptp_port_id *id)
{
	if (!t->cap)
		return -1;
	for (uint32_t i = hash(domain, id) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		int32_t s = t->slots[i];
		if (s < 0)
			return -1;
		if (port_key_eq(&t->keys[s], domain, id)) {
			t->last = s;
			return s;
		}
	}
}

static void grow(struct port_table *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 16;
	int32_t *slots = xmalloc(sizeof(int32_t) * cap);
	memset(slots, 0xff, sizeof(int32_t) * cap);
	for (uint32_t k = 0; k < t->n; k++) {
		uint32_t i = hash(t->keys[k].domain, &t->keys[k].id) & (cap - 1);
		while (slots[i] >= 0)
			i = (i + 1) & (cap - 1);
		slots[i] = (int32_t)k;
	}
	free(t->slots);
	t->slots = slots;
	t->keys = xrealloc(t->keys, sizeof(struct port_key) * cap / 2);
	t->cap = cap;
}

int32_t port_table_insert(struct port_table *t, uint8_t domain, const struct ptp_port_id *id,
			  int *created)
{
	*created = 0;
	int32_t s = port_table_probe(t, domain, id);
	if (s >= 0)
		return s;
	if (t->n >= PORT_TABLE_MAX)
		return -1;
	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	uint32_t i = hash(domain, id) & (t->cap - 1);
	while (t->slots[i] >= 0)
		i = (i + 1) & (t->cap - 1);
	t->keys[t->n].domain = domain;
	t->keys[t->n].id = *id;
	t->slots[i] = (int32_t)t->n;
	*created = 1;
	return (int32_t)t->n++;
}
