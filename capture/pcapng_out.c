#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapng_out.h"
#include "common/outdir.h"
#include "common/log.h"

struct pcapng_out {
	FILE *f;
	char *path;
	uint64_t bytes;
	int nif;
	bool failed;
};

/* Blocks are written in host byte order; the section header's byte-order magic tells
 * readers which that is. */
static void put(struct pcapng_out *o, const void *p, size_t n)
{
	if (o->failed)
		return;
	if (fwrite(p, 1, n, o->f) != n) {
		log_err("%s: write failed: %s", o->path, strerror(errno));
		o->failed = true;
	}
	o->bytes += n;
}

static void put32(struct pcapng_out *o, uint32_t v)
{
	put(o, &v, 4);
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static size_t opt_len(size_t vlen)
{
	return 4 + pad4(vlen);
}

static void put_opt(struct pcapng_out *o, uint16_t code, const void *v, size_t vlen)
{
	static const uint8_t zeros[4] = { 0 };
	uint16_t hdr[2] = { code, (uint16_t)vlen };
	put(o, hdr, 4);
	put(o, v, vlen);
	put(o, zeros, pad4(vlen) - vlen);
}

static void put_end_opt(struct pcapng_out *o)
{
	put32(o, 0);
}

struct pcapng_out *pcapng_out_open(const char *path, int dlt, const char *ifname,
				   const char *comment)
{
	return pcapng_out_open_in(NULL, path, dlt, ifname, comment);
}

struct pcapng_out *pcapng_out_open_in(const struct outdir *dir, const char *name, int dlt,
				      const char *ifname, const char *comment)
{
	FILE *f = outdir_create(dir, name);
	if (!f)
		return NULL;
	struct pcapng_out *o = xcalloc(1, sizeof(*o));
	o->f = f;
	o->path = outdir_join(dir, name);
	/* Section Header Block: type, length, byte-order magic, version 1.0, section length
	 * unknown (-1), options (shb_comment 1, shb_userappl 4), end, length. */
	const char *app = "ptpcal " PTPCAL_VERSION;
	size_t clen = comment ? strlen(comment) : 0;
	size_t len = 28 + opt_len(strlen(app)) + (clen ? opt_len(clen) : 0) + 4;
	put32(o, 0x0A0D0D0A);
	put32(o, (uint32_t)len);
	put32(o, 0x1A2B3C4D);
	uint16_t ver[2] = { 1, 0 };
	put(o, ver, 4);
	int64_t seclen = -1;
	put(o, &seclen, 8);
	if (clen)
		put_opt(o, 1, comment, clen);
	put_opt(o, 4, app, strlen(app));
	put_end_opt(o);
	put32(o, (uint32_t)len);
	pcapng_out_add_if(o, dlt, ifname);
	if (o->failed) {
		pcapng_out_close(o);
		return NULL;
	}
	return o;
}

int pcapng_out_add_if(struct pcapng_out *o, int dlt, const char *ifname)
{
	/* Interface Description Block: linktype, reserved, snaplen 0 (unlimited), options
	 * if_name (2), if_tsresol (9) = 9 (10^-9 s), end. */
	size_t nlen = ifname ? strlen(ifname) : 0;
	uint8_t tsresol = 9;
	size_t len = 20 + (nlen ? opt_len(nlen) : 0) + opt_len(1) + 4;
	put32(o, 0x00000001);
	put32(o, (uint32_t)len);
	uint16_t lt[2] = { (uint16_t)dlt, 0 };
	put(o, lt, 4);
	put32(o, 0);
	if (nlen)
		put_opt(o, 2, ifname, nlen);
	put_opt(o, 9, &tsresol, 1);
	put_end_opt(o);
	put32(o, (uint32_t)len);
	return o->nif++;
}

int pcapng_out_packet(struct pcapng_out *o, int ifidx, int64_t ts_ns, const uint8_t *data,
		      size_t caplen, size_t wirelen, int dir)
{
	static const uint8_t zeros[4] = { 0 };
	/* Enhanced Packet Block: interface id, timestamp (high, low) in if_tsresol units,
	 * captured length, original length, data padded to 32 bits, epb_flags (2), end. */
	size_t len = 28 + pad4(caplen) + (dir ? opt_len(4) + 4 : 0) + 4;
	uint64_t ts = (uint64_t)ts_ns;
	put32(o, 0x00000006);
	put32(o, (uint32_t)len);
	put32(o, (uint32_t)ifidx);
	put32(o, (uint32_t)(ts >> 32));
	put32(o, (uint32_t)ts);
	put32(o, (uint32_t)caplen);
	put32(o, (uint32_t)wirelen);
	put(o, data, caplen);
	put(o, zeros, pad4(caplen) - caplen);
	if (dir) {
		uint32_t flags = (uint32_t)(dir & 3);
		put_opt(o, 2, &flags, 4);
		put_end_opt(o);
	}
	put32(o, (uint32_t)len);
	return o->failed ? -1 : 0;
}

uint64_t pcapng_out_bytes(const struct pcapng_out *o)
{
	return o->bytes;
}

int pcapng_out_flush(struct pcapng_out *o)
{
	if (!o->failed && fflush(o->f) != 0) {
		log_err("%s: write failed: %s", o->path, strerror(errno));
		o->failed = true;
	}
	return o->failed ? -1 : 0;
}

int pcapng_out_close(struct pcapng_out *o)
{
	if (!o)
		return 0;
	pcapng_out_flush(o);
	if (fclose(o->f) != 0 && !o->failed) {
		log_err("%s: write failed: %s", o->path, strerror(errno));
		o->failed = true;
	}
	int rc = o->failed ? -1 : 0;
	free(o->path);
	free(o);
	return rc;
}
