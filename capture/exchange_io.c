#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capture/exchange_io.h"
#include "common/log.h"
#include "common/numfmt.h"

const char *const exchange_columns[] = {
	"t_s",      "domain",   "master",        "slave",         "encap",
	"sync_seq", "req_seq",  "two_step",      "t1",            "t2",
	"t3",       "t4",       "corr_sync_sns", "corr_req_sns",  "corr_resp_sns",
	"fwd_ns",   "rev_ns",   "offset_ns",     "delay_ns",      "asym_ns",
};
const int exchange_ncolumns = sizeof(exchange_columns) / sizeof(exchange_columns[0]);

static const char *const pdelay_columns[] = {
	"t_s", "domain", "requester", "responder", "encap", "seq", "two_step",
	"t1",  "t2",     "t3",        "t4",        "corr_req_sns", "corr_resp_sns",
	"corr_fup_sns", "turnaround_ns", "link_delay_ns",
};

/* Port identities repeat on every row: format each distinct one once. */
struct id_cache {
	struct ptp_port_id id[2];
	char s[2][PTP_PORT_ID_STRLEN];
	size_t len[2];
	bool valid[2];
};

static char *fmt_cached_id(char *p, struct id_cache *c, int slot, const struct ptp_port_id *id)
{
	if (!c->valid[slot] || !ptp_port_id_eq(&c->id[slot], id)) {
		c->id[slot] = *id;
		c->len[slot] = strlen(ptp_port_id_str(id, c->s[slot]));
		c->valid[slot] = true;
	}
	memcpy(p, c->s[slot], c->len[slot]);
	return p + c->len[slot];
}

/* Rows are built whole in the dataset's buffer (ds_row_begin): every field is at most
 * PTIME_STRLEN bytes (times; numbers NUMFMT_MAX, identities PTP_PORT_ID_STRLEN), plus a tab. */
#define FIELD_MAX PTIME_STRLEN
_Static_assert(NUMFMT_MAX <= FIELD_MAX && PTP_PORT_ID_STRLEN <= FIELD_MAX, "field bound");

static char *fmt_word(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

struct exchange_writer {
	struct ds_writer *ds;
	bool have_t0;
	struct ptime t0;
	struct id_cache ids;
};

struct exchange_writer *exchange_writer_open(const char *path)
{
	return exchange_writer_open_in(NULL, path);
}

struct exchange_writer *exchange_writer_open_in(const struct outdir *dir, const char *name)
{
	struct ds_writer *ds = ds_create_in(dir, name, "exchanges");
	if (!ds)
		return NULL;
	struct exchange_writer *w = xcalloc(1, sizeof(*w));
	w->ds = ds;
	ds_declare_columns(ds, exchange_columns, exchange_ncolumns);
	return w;
}

struct ds_writer *exchange_writer_ds(struct exchange_writer *w)
{
	return w->ds;
}

/* Seconds since the first row's time, as ds_put_fixed(..., 9) writes them. */
static char *fmt_rel(char *p, bool *have_t0, struct ptime *t0, struct ptime t)
{
	if (!*have_t0) {
		*t0 = t;
		*have_t0 = true;
	}
	return fmt_fixed(p, ptime_diff_ns(t, *t0) / 1e9, 9);
}

void exchange_writer_row(struct exchange_writer *w, const struct exchange *ex)
{
	struct ds_writer *ds = w->ds;
	char *p = ds_row_begin(ds, (size_t)exchange_ncolumns * (FIELD_MAX + 1));
	p = fmt_rel(p, &w->have_t0, &w->t0, ex->t2);
	*p++ = '\t';
	p = fmt_u64(p, ex->domain);
	*p++ = '\t';
	p = fmt_cached_id(p, &w->ids, 0, &ex->master);
	*p++ = '\t';
	p = fmt_cached_id(p, &w->ids, 1, &ex->slave);
	*p++ = '\t';
	p = fmt_word(p, frame_encap_name(ex->encap));
	*p++ = '\t';
	p = fmt_u64(p, ex->sync_seq);
	*p++ = '\t';
	p = fmt_u64(p, ex->req_seq);
	*p++ = '\t';
	p = fmt_u64(p, ex->two_step);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, ex->t1);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, ex->t2);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, ex->t3);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, ex->t4);
	*p++ = '\t';
	p = fmt_i64(p, ex->corr_sync);
	*p++ = '\t';
	p = fmt_i64(p, ex->corr_req);
	*p++ = '\t';
	p = fmt_i64(p, ex->corr_resp);
	/* Derived values to 1 ps; the exact ones follow from t1..t4 and the corrections. */
	*p++ = '\t';
	p = fmt_fixed(p, ex->fwd_ns, 3);
	*p++ = '\t';
	p = fmt_fixed(p, ex->rev_ns, 3);
	*p++ = '\t';
	p = fmt_fixed(p, ex->offset_ns, 3);
	*p++ = '\t';
	p = fmt_fixed(p, ex->delay_ns, 3);
	*p++ = '\t';
	p = fmt_fixed(p, ex->asym_ns, 3);
	ds_row_end(ds, p, exchange_ncolumns);
}

int exchange_writer_close(struct exchange_writer *w)
{
	if (!w)
		return 0;
	int rc = ds_close(w->ds);
	free(w);
	return rc;
}

struct pdelay_writer {
	struct ds_writer *ds;
	bool have_t0;
	struct ptime t0;
	struct id_cache ids;
};

struct pdelay_writer *pdelay_writer_open(const char *path)
{
	return pdelay_writer_open_in(NULL, path);
}

struct pdelay_writer *pdelay_writer_open_in(const struct outdir *dir, const char *name)
{
	struct ds_writer *ds = ds_create_in(dir, name, "pdelay");
	if (!ds)
		return NULL;
	struct pdelay_writer *w = xcalloc(1, sizeof(*w));
	w->ds = ds;
	ds_declare_columns(ds, pdelay_columns, (int)(sizeof(pdelay_columns) / sizeof(*pdelay_columns)));
	return w;
}

struct ds_writer *pdelay_writer_ds(struct pdelay_writer *w)
{
	return w->ds;
}

void pdelay_writer_row(struct pdelay_writer *w, const struct pdelay *pd)
{
	struct ds_writer *ds = w->ds;
	const int ncols = (int)(sizeof(pdelay_columns) / sizeof(*pdelay_columns));
	char *p = ds_row_begin(ds, (size_t)ncols * (FIELD_MAX + 1));
	p = fmt_rel(p, &w->have_t0, &w->t0, pd->t1);
	*p++ = '\t';
	p = fmt_u64(p, pd->domain);
	*p++ = '\t';
	p = fmt_cached_id(p, &w->ids, 0, &pd->requester);
	*p++ = '\t';
	p = fmt_cached_id(p, &w->ids, 1, &pd->responder);
	*p++ = '\t';
	p = fmt_word(p, frame_encap_name(pd->encap));
	*p++ = '\t';
	p = fmt_u64(p, pd->seq);
	*p++ = '\t';
	p = fmt_u64(p, pd->two_step);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, pd->t1);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, pd->t2);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, pd->t3);
	*p++ = '\t';
	p = ds_fmt_time(ds, p, pd->t4);
	*p++ = '\t';
	p = fmt_i64(p, pd->corr_req);
	*p++ = '\t';
	p = fmt_i64(p, pd->corr_resp);
	*p++ = '\t';
	p = fmt_i64(p, pd->corr_fup);
	*p++ = '\t';
	p = fmt_fixed(p, pd->turnaround_ns, 3);
	*p++ = '\t';
	p = fmt_fixed(p, pd->link_delay_ns, 3);
	ds_row_end(ds, p, ncols);
}

int pdelay_writer_close(struct pdelay_writer *w)
{
	if (!w)
		return 0;
	int rc = ds_close(w->ds);
	free(w);
	return rc;
}

/* ------------------------------------------------------------------ reader */

bool exchange_reader_open(struct exchange_reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->ds = ds_open(path, "exchanges");
	if (!r->ds)
		return false;
	struct {
		int *c;
		const char *name;
	} need[] = {
		{ &r->c_domain, "domain" },     { &r->c_master, "master" },
		{ &r->c_slave, "slave" },       { &r->c_encap, "encap" },
		{ &r->c_sync_seq, "sync_seq" }, { &r->c_req_seq, "req_seq" },
		{ &r->c_two_step, "two_step" }, { &r->c_t1, "t1" },
		{ &r->c_t2, "t2" },             { &r->c_t3, "t3" },
		{ &r->c_t4, "t4" },             { &r->c_corr_sync, "corr_sync_sns" },
		{ &r->c_corr_req, "corr_req_sns" }, { &r->c_corr_resp, "corr_resp_sns" },
	};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if ((*need[i].c = ds_require_col(r->ds, need[i].name)) < 0) {
			exchange_reader_close(r);
			return false;
		}
	return true;
}

static bool get_u16(struct ds_reader *ds, int col, uint16_t *out, int64_t max)
{
	int64_t v;
	if (!ds_get_i64(ds, col, &v))
		return false;
	if (v < 0 || v > max) {
		ds_error(ds, "column '%s': %lld out of range 0..%lld", ds_colname(ds, col),
			 (long long)v, (long long)max);
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

int exchange_reader_next(struct exchange_reader *r, struct exchange *ex)
{
	int rc = ds_next(r->ds);
	if (rc <= 0)
		return rc;
	struct ds_reader *ds = r->ds;
	memset(ex, 0, sizeof(*ex));
	uint16_t domain, two_step;
	if (!get_u16(ds, r->c_domain, &domain, 255) || !get_u16(ds, r->c_sync_seq, &ex->sync_seq, 65535) ||
	    !get_u16(ds, r->c_req_seq, &ex->req_seq, 65535) ||
	    !get_u16(ds, r->c_two_step, &two_step, 1))
		return -1;
	ex->domain = (uint8_t)domain;
	ex->two_step = two_step;
	if (!ptp_port_id_parse(ds_field(ds, r->c_master), &ex->master) ||
	    !ptp_port_id_parse(ds_field(ds, r->c_slave), &ex->slave)) {
		ds_error(ds, "malformed port identity (expected like 001122.fffe.334455-1)");
		return -1;
	}
	const char *e = ds_field(ds, r->c_encap);
	if (strcmp(e, "L2") == 0)
		ex->encap = ENCAP_L2;
	else if (strcmp(e, "UDPv4") == 0)
		ex->encap = ENCAP_UDP4;
	else if (strcmp(e, "UDPv6") == 0)
		ex->encap = ENCAP_UDP6;
	else {
		ds_error(ds, "column 'encap': '%s' is not L2, UDPv4 or UDPv6", e);
		return -1;
	}
	if (!ds_get_time(ds, r->c_t1, &ex->t1) || !ds_get_time(ds, r->c_t2, &ex->t2) ||
	    !ds_get_time(ds, r->c_t3, &ex->t3) || !ds_get_time(ds, r->c_t4, &ex->t4) ||
	    !ds_get_i64(ds, r->c_corr_sync, &ex->corr_sync) ||
	    !ds_get_i64(ds, r->c_corr_req, &ex->corr_req) ||
	    !ds_get_i64(ds, r->c_corr_resp, &ex->corr_resp))
		return -1;
	if (!exchange_derive(ex)) {
		ds_error(ds, "timestamps too far apart to difference (t1..t4 span more than 39 h)");
		return -1;
	}
	return 1;
}

void exchange_reader_close(struct exchange_reader *r)
{
	ds_reader_close(r->ds);
	r->ds = NULL;
}
