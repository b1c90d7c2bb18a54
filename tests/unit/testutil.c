#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/testutil.h"

static char tmpdir[256];
static pid_t tmp_owner;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	/* Check forks a child per test; only the process that made the directory removes it. */
	if (tmpdir[0] && getpid() == tmp_owner)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tu_tmpdir(void)
{
	if (!tmpdir[0] || tmp_owner != getpid()) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/ptpcal-unit-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			abort();
		}
		tmp_owner = getpid();
		atexit(cleanup);
	}
	return tmpdir;
}

const char *tu_path(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ & 7];
	snprintf(b, 512, "%s/%s", tu_tmpdir(), name);
	return b;
}

const char *tu_src(const char *rel)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ & 3];
	const char *top = getenv("PTPCAL_TOP");
	snprintf(b, 512, "%s/%s", top ? top : "..", rel);
	return b;
}

void tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
}

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	ck_assert(s != NULL);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	return s;
}

static const uint8_t ptp_mcast[6] = { 0x01, 0x1b, 0x19, 0x00, 0x00, 0x00 };
static const uint8_t src_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

size_t tu_eth(uint8_t *out, const uint8_t *ptp, size_t len, const uint16_t *vlans, int nvlan,
	      uint16_t vlan_tpid)
{
	memcpy(out, ptp_mcast, 6);
	memcpy(out + 6, src_mac, 6);
	size_t o = 12;
	for (int i = 0; i < nvlan; i++) {
		wr16(out + o, i == 0 && vlan_tpid ? vlan_tpid : 0x8100);
		wr16(out + o + 2, vlans[i]);
		o += 4;
	}
	wr16(out + o, 0x88F7);
	memcpy(out + o + 2, ptp, len);
	return o + 2 + len;
}

static size_t udp_hdr(uint8_t *u, const uint8_t *ptp, size_t len, uint16_t dport)
{
	wr16(u, dport);
	wr16(u + 2, dport);
	wr16(u + 4, (uint16_t)(8 + len));
	wr16(u + 6, 0);
	memcpy(u + 8, ptp, len);
	return 8 + len;
}

size_t tu_udp4(uint8_t *out, const uint8_t *ptp, size_t len, uint16_t dport)
{
	memcpy(out, ptp_mcast, 6);
	memcpy(out + 6, src_mac, 6);
	wr16(out + 12, 0x0800);
	uint8_t *ip = out + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + 8 + len));
	ip[8] = 1;
	ip[9] = 17;
	wr32(ip + 12, 0xa9fe0001);
	wr32(ip + 16, 0xe0000181); /* 224.0.1.129 */
	return 14 + 20 + udp_hdr(ip + 20, ptp, len, dport);
}

size_t tu_udp6(uint8_t *out, const uint8_t *ptp, size_t len, uint16_t dport, int with_hbh)
{
	memcpy(out, ptp_mcast, 6);
	memcpy(out + 6, src_mac, 6);
	wr16(out + 12, 0x86DD);
	uint8_t *ip = out + 14;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	size_t ext = with_hbh ? 8 : 0;
	wr16(ip + 4, (uint16_t)(ext + 8 + len));
	ip[6] = with_hbh ? 0 : 17;
	ip[7] = 1;
	ip[8] = 0xfe;
	ip[9] = 0x80;
	ip[24] = 0xff;
	ip[25] = 0x0e;
	ip[39] = 0x81;
	uint8_t *p = ip + 40;
	if (with_hbh) {
		memset(p, 0, 8);
		p[0] = 17; /* next header UDP, length 0 => 8 bytes, padding option PadN */
		p[2] = 1;
		p[3] = 4;
		p += 8;
	}
	return 14 + 40 + ext + udp_hdr(p, ptp, len, dport);
}

size_t tu_sll(uint8_t *out, const uint8_t *ptp, size_t len, uint16_t pkttype)
{
	memset(out, 0, 16);
	wr16(out, pkttype);
	wr16(out + 2, 1);
	wr16(out + 4, 6);
	memcpy(out + 6, src_mac, 6);
	wr16(out + 14, 0x88F7);
	memcpy(out + 16, ptp, len);
	return 16 + len;
}

size_t tu_sll2(uint8_t *out, const uint8_t *ptp, size_t len, uint8_t pkttype)
{
	memset(out, 0, 20);
	wr16(out, 0x88F7);
	wr32(out + 4, 2);
	wr16(out + 8, 1);
	out[10] = pkttype;
	out[11] = 6;
	memcpy(out + 12, src_mac, 6);
	memcpy(out + 20, ptp, len);
	return 20 + len;
}

struct tu_pcap {
	pcap_t *dead;
	pcap_dumper_t *d;
	int nano;
};

struct tu_pcap *tu_pcap_open(const char *path, int dlt, int nano)
{
	struct tu_pcap *p = calloc(1, sizeof(*p));
	p->nano = nano;
	p->dead = pcap_open_dead_with_tstamp_precision(
		dlt, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	p->d = pcap_dump_open(p->dead, path);
	ck_assert_msg(p->d != NULL, "pcap_dump_open %s: %s", path, pcap_geterr(p->dead));
	return p;
}

void tu_pcap_add_trunc(struct tu_pcap *p, int64_t ts_ns, const uint8_t *frame, size_t caplen,
		       size_t wirelen)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = ts_ns / 1000000000;
	h.ts.tv_usec = p->nano ? ts_ns % 1000000000 : (ts_ns % 1000000000) / 1000;
	h.caplen = (bpf_u_int32)caplen;
	h.len = (bpf_u_int32)wirelen;
	pcap_dump((u_char *)p->d, &h, frame);
}

void tu_pcap_add(struct tu_pcap *p, int64_t ts_ns, const uint8_t *frame, size_t len)
{
	tu_pcap_add_trunc(p, ts_ns, frame, len, len);
}

void tu_pcap_close(struct tu_pcap *p)
{
	pcap_dump_close(p->d);
	pcap_close(p->dead);
	free(p);
}

struct ptp_port_id tu_port(uint8_t n, uint16_t port)
{
	struct ptp_port_id id;
	memset(&id, 0, sizeof(id));
	id.clock[3] = 0xff;
	id.clock[4] = 0xfe;
	id.clock[7] = n;
	id.port = port;
	return id;
}
