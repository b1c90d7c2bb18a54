/* Encoding PTP messages: the inverse of ptp_decode, byte for byte. Used to build management
 * requests, by the emulated switch to rewrite messages, and by tests to construct every
 * message type. */
#ifndef PTPCAL_PTP_BUILD_H
#define PTPCAL_PTP_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "capture/ptp_wire.h"

/* Encode m into buf (cap bytes). The header's length field is computed (fixed body plus
 * m->tlvs_len bytes copied from m->tlvs). Returns the length, or 0 if it does not fit or the
 * type is reserved. */
size_t ptp_encode(const struct ptp_msg *m, uint8_t *buf, size_t cap);

/* A message with the header filled for a type, everything else zero (version 2.0). */
void ptp_msg_init(struct ptp_msg *m, enum ptp_type type, uint8_t domain,
		  const struct ptp_port_id *source, uint16_t seq);

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}
static inline void wr48(uint8_t *p, uint64_t v)
{
	wr16(p, (uint16_t)(v >> 32));
	wr32(p + 2, (uint32_t)v);
}
static inline void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)(v >> 32));
	wr32(p + 4, (uint32_t)v);
}

#endif
