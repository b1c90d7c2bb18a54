#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/pcap_in.h"
#include "capture/pcap_records.h"
#include "common/log.h"

struct pcap_in {
	pcap_t *p;
	char *name;
	int dlt;
	const char *format;
	struct pcap_in_stats st;
	pcap_in_raw_fn raw_fn;
	void *raw_ctx;
	/* A regular classic-pcap file pcap_records reads (fast_fd >= 0), from fast_off. */
	int fast_fd;
	off_t fast_off;
	struct pcap_records_fmt fast_fmt;
};

/* The file's own resolution, from its magic number (libpcap does not say). */
static const char *file_format(const char *path)
{
	if (strcmp(path, "-") == 0)
		return "stdin";
	/* Only a regular file can be read twice: opening a pipe or FIFO (/dev/fd/N, <(...))
	 * again would steal the first bytes from libpcap. */
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return "stream";
	FILE *f = fopen(path, "rb");
	if (!f)
		return "?";
	unsigned char m[4] = { 0 };
	size_t n = fread(m, 1, 4, f);
	fclose(f);
	if (n < 4)
		return "?";
	uint32_t le = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
	uint32_t be = (uint32_t)m[3] | (uint32_t)m[2] << 8 | (uint32_t)m[1] << 16 | (uint32_t)m[0] << 24;
	if (le == 0xa1b2c3d4 || be == 0xa1b2c3d4)
		return "pcap (microsecond timestamps)";
	if (le == 0xa1b23c4d || be == 0xa1b23c4d)
		return "pcap (nanosecond timestamps)";
	if (le == 0x0a0d0d0a)
		return "pcapng";
	return "?";
}

static struct pcap_in *wrap(pcap_t *p, const char *name, const char *format)
{
	struct pcap_in *in = xcalloc(1, sizeof(*in));
	in->p = p;
	in->name = xstrdup(name);
	in->dlt = pcap_datalink(p);
	in->format = format;
	in->fast_fd = -1;
	return in;
}

struct pcap_in *pcap_in_open_offline(const char *path)
{
	return pcap_in_open_offline_as(path, path);
}

struct pcap_in *pcap_in_open_offline_as(const char *path, const char *name)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	/* Our own FILE with a 1 MiB buffer: libpcap reads records with fread, and the default
	 * 4 KiB stdio buffer costs a read(2) every ~50 PTP packets. */
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		log_err("%s: cannot read as pcap/pcapng: %s", name, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		if (f != stdin)
			fclose(f);
		/* libpcap's messages name the problem ("unknown file format", "truncated dump
		 * file", the errno text); say which file. */
		log_err("%s: cannot read as pcap/pcapng: %s", name, ebuf);
		return NULL;
	}
	struct pcap_in *in = wrap(p, name, file_format(path));
	/* The header again, from the file itself (libpcap has buffered past it). */
	uint8_t hdr[PCAP_FILE_HDR_LEN];
	if (f != stdin && strncmp(in->format, "pcap (", 6) == 0 &&
	    pread(fileno(f), hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
	    pcap_records_fmt_ok(hdr, sizeof(hdr), &in->fast_fmt)) {
		in->fast_fmt.snaplen = (uint32_t)pcap_snapshot(p);
		in->fast_fd = fileno(f);
		in->fast_off = PCAP_FILE_HDR_LEN;
	}
	if (!frame_dlt_supported(in->dlt)) {
		const char *n = pcap_datalink_val_to_name(in->dlt);
		log_err("%s: link type %s (%d) is not supported (Ethernet, Linux cooked SLL/SLL2, raw "
			"IP and loopback are)", name, n ? n : "?", in->dlt);
		pcap_in_close(in);
		return NULL;
	}
	return in;
}

struct pcap_in *pcap_in_wrap(pcap_t *p, const char *name)
{
	return wrap(p, name, "live");
}

/* Count and decode one record: true if *pkt now holds a PTP message. Forced inline: it is
 * the whole per-record path of pcap_dispatch's callback. */
static inline __attribute__((always_inline)) bool
decode_record(struct pcap_in *in, const struct pcap_pkthdr *h, const u_char *data,
	      struct ptp_packet *pkt)
{
	in->st.packets++;
	if (in->raw_fn)
		in->raw_fn(in->raw_ctx, h, data);
	pkt->frame = in->st.packets;
	/* With PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds. */
	pkt->ts = ptime_from_ns((int64_t)h->ts.tv_sec * NS_PER_SEC + (int64_t)h->ts.tv_usec);
	enum malformed why;
	enum frame_result fr = frame_decode(in->dlt, data, h->caplen, h->len, &pkt->fi, &why);
	if (fr == FRAME_OTHER) {
		in->st.other++;
		return false;
	}
	if (fr == FRAME_PTP) {
		why = ptp_decode(pkt->fi.ptp, pkt->fi.ptp_len, &pkt->msg);
		if (why == MAL_NONE) {
			in->st.ptp++;
			in->st.by_type[pkt->msg.hdr.type & 0x0f]++;
			return true;
		}
		/* A message cut by the snapshot length is the capture's fault, not the
		 * sender's: say so. */
		if (pkt->fi.truncated && (why == MAL_PTP_SHORT || why == MAL_PTP_LENGTH))
			why = MAL_SNAPLEN;
	}
	in->st.malformed++;
	in->st.mal.n[why]++;
	if (!in->st.first_malformed_frame)
		in->st.first_malformed_frame = in->st.packets;
	log_debug("%s: frame %llu skipped: %s", in->name, (unsigned long long)in->st.packets,
		  malformed_text(why));
	return false;
}

static int read_error(struct pcap_in *in)
{
	log_err("%s: after packet %llu: %s", in->name, (unsigned long long)in->st.packets,
		pcap_geterr(in->p));
	return -1;
}

int pcap_in_next(struct pcap_in *in, struct ptp_packet *pkt)
{
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(in->p, &h, &data);
		if (rc == PCAP_ERROR_BREAK || rc == 0)
			return 0; /* end of file, or a live capture's timeout / pcap_breakloop */
		if (rc < 0)
			return read_error(in);
		if (decode_record(in, h, data, pkt))
			return 1;
	}
}

struct each_ctx {
	struct pcap_in *in;
	pcap_in_packet_fn fn;
	void *ctx;
	bool stopped;
	struct ptp_packet pkt;
};

static void each_record(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct each_ctx *e = (struct each_ctx *)user;
	if (decode_record(e->in, h, data, &e->pkt) && !e->fn(e->ctx, &e->pkt)) {
		e->stopped = true;
		pcap_breakloop(e->in->p);
	}
}

/* Records straight from the file in 1 MiB blocks (pcap_records.h says why) while they are
 * ones libpcap would return unchanged. Leaves libpcap's stream at the first record not
 * read here (a damaged one, or the end): false if fn stopped the loop. */
static bool each_fast(struct pcap_in *in, struct each_ctx *e)
{
	enum { BLOCK = 1 << 20 }; /* > the largest record taken (16 + 256 KiB) */
	uint8_t *buf = xmalloc(BLOCK);
	size_t have = 0, at = 0;
	off_t file_off = in->fast_off; /* of buf[have] */
	for (;;) {
		struct pcap_pkthdr h;
		const uint8_t *data;
		size_t used;
		enum pcap_record_rc rc = pcap_record_next(buf + at, have - at, &in->fast_fmt, &h,
							  &data, &used);
		if (rc == PCAP_RECORD_OK) {
			at += used;
			in->fast_off += (off_t)used;
			if (decode_record(in, &h, data, &e->pkt) && !e->fn(e->ctx, &e->pkt)) {
				e->stopped = true;
				break;
			}
			continue;
		}
		if (rc == PCAP_RECORD_LIBPCAP)
			break;
		memmove(buf, buf + at, have - at);
		have -= at;
		at = 0;
		ssize_t n = pread(in->fast_fd, buf + have, BLOCK - have, file_off);
		if (n <= 0)
			break; /* end of file (libpcap says if a record is cut) or an error */
		have += (size_t)n;
		file_off += n;
	}
	free(buf);
	/* libpcap reads on from here: reports what stopped us, or finds the end. */
	if (fseeko(pcap_file(in->p), in->fast_off, SEEK_SET) != 0) {
		log_err("%s: after packet %llu: cannot seek: %s", in->name,
			(unsigned long long)in->st.packets, strerror(errno));
		return false;
	}
	in->fast_fd = -1;
	return !e->stopped;
}

int pcap_in_each(struct pcap_in *in, pcap_in_packet_fn fn, void *ctx)
{
	struct each_ctx e = { .in = in, .fn = fn, .ctx = ctx };
	if (in->fast_fd >= 0 && !each_fast(in, &e))
		return e.stopped ? 0 : -1;
	for (;;) {
		/* -1: every record in the file (pcap_dispatch(3PCAP)). */
		int rc = pcap_dispatch(in->p, -1, each_record, (u_char *)&e);
		if (e.stopped || rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc == PCAP_ERROR)
			return read_error(in);
		if (rc == 0)
			return 0; /* end of file (or a live capture's timeout) */
	}
}

const struct pcap_in_stats *pcap_in_stats(const struct pcap_in *in) { return &in->st; }
int pcap_in_datalink(const struct pcap_in *in) { return in->dlt; }
const char *pcap_in_name(const struct pcap_in *in) { return in->name; }
const char *pcap_in_format(const struct pcap_in *in) { return in->format; }
pcap_t *pcap_in_handle(struct pcap_in *in) { return in->p; }

void pcap_in_set_raw_hook(struct pcap_in *in, pcap_in_raw_fn fn, void *ctx)
{
	in->raw_fn = fn;
	in->raw_ctx = ctx;
}

void pcap_in_close(struct pcap_in *in)
{
	if (!in)
		return;
	pcap_close(in->p);
	free(in->name);
	free(in);
}
