/* ptpcal validate-switch (see validate.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/bias.h"
#include "capture/pcap_in.h"
#include "common/cli.h"
#include "common/commands.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/log.h"
#include "lab/infile.h"
#include "lab/validate.h"

#define MAX_PATHS 16
#define RING 8192 /* recent event frames remembered to check two-step corrections */

struct dvec {
	double *v;
	size_t n, cap;
};

static void dpush(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->v = xrealloc(d->v, d->cap * sizeof(double));
	}
	d->v[d->n++] = x;
}

struct dir_obs {
	struct dvec t, res;     /* event messages: time (s), latency through the device (ns) */
	uint64_t total, lost;   /* every frame of this direction */
};

struct path_obs {
	char name[64];
	struct dir_obs d[2];    /* 0 fwd (towards the slave), 1 rev */
	struct dvec tc_err;     /* correction written - residence measured, ns */
	uint64_t tc_missing;    /* followers whose event could not be found */
};

struct limits {
	double latency, pdv, asym, loss, tc;
	bool has_latency, has_pdv, has_asym, has_loss, has_tc;
};

static struct path_obs *path_get(struct path_obs *p, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(p[i].name, name))
			return &p[i];
	if (*n == MAX_PATHS)
		return NULL;
	memset(&p[*n], 0, sizeof(p[*n]));
	snprintf(p[*n].name, sizeof(p[*n].name), "%s", name);
	return &p[(*n)++];
}

/* ---- from the switch's log ---- */
struct ring_ent {
	uint64_t frame;
	char out[32];
	double res;
};

static int from_log(const char *path, const char *only, struct path_obs *paths, int *npaths)
{
	struct infile f;
	if (!infile_open(&f, path))
		return EXIT_USAGE;
	struct ds_reader *r = ds_open(f.path, "switch-frames");
	if (!r) {
		infile_close(&f, path);
		return EXIT_USAGE;
	}
	int cf = ds_require_col(r, "frame"), cin = ds_require_col(r, "in"),
	    cout = ds_require_col(r, "out"), cdir = ds_require_col(r, "dir"),
	    ctype = ds_require_col(r, "type"), crx = ds_require_col(r, "rx"),
	    ctx = ds_require_col(r, "tx"), cci = ds_require_col(r, "corr_in_sns"),
	    cco = ds_require_col(r, "corr_out_sns"), cref = ds_require_col(r, "tc_ref"),
	    cfate = ds_require_col(r, "fate"), cts = ds_require_col(r, "t_s");
	if (cf < 0 || cin < 0 || cout < 0 || cdir < 0 || ctype < 0 || crx < 0 || ctx < 0 ||
	    cci < 0 || cco < 0 || cref < 0 || cfate < 0 || cts < 0) {
		ds_reader_close(r);
		infile_close(&f, path);
		return EXIT_USAGE;
	}
	static struct ring_ent ring[RING];
	memset(ring, 0, sizeof(ring));
	size_t rpos = 0;
	int rc;
	while ((rc = ds_next(r)) > 0) {
		const char *dir = ds_field(r, cdir), *in = ds_field(r, cin), *out = ds_field(r, cout);
		int d = !strcmp(dir, "fwd") ? 0 : !strcmp(dir, "rev") ? 1 : -1;
		if (d < 0)
			continue; /* client to client */
		const char *port = d == 0 ? out : in;
		if (only && strcmp(only, port))
			continue;
		struct path_obs *p = path_get(paths, npaths, port);
		if (!p) {
			ds_error(r, "more than %d ports", MAX_PATHS);
			break;
		}
		const char *fate = ds_field(r, cfate), *type = ds_field(r, ctype);
		p->d[d].total++;
		if (!strcmp(fate, "lost")) {
			p->d[d].lost++;
			continue;
		}
		if (strcmp(fate, "sent"))
			continue;
		bool event = !strcmp(type, "Sync") || !strcmp(type, "Delay_Req");
		bool follower = !strcmp(type, "Follow_Up") || !strcmp(type, "Delay_Resp");
		if (!event && !follower)
			continue;
		struct ptime rx, tx;
		int64_t frame, ci, co;
		double ts;
		if (!ds_get_time(r, crx, &rx) || !ds_get_time(r, ctx, &tx) ||
		    !ds_get_i64(r, cf, &frame) || !ds_get_i64(r, cci, &ci) ||
		    !ds_get_i64(r, cco, &co) || !ds_get_double(r, cts, &ts))
			break;
		double res = ptime_diff_ns(tx, rx);
		double added = (double)(co - ci) / SNS_PER_NS;
		const char *ref = ds_field(r, cref);
		if (event) {
			dpush(&p->d[d].t, ts);
			dpush(&p->d[d].res, res);
			struct ring_ent *e = &ring[rpos++ % RING];
			e->frame = (uint64_t)frame;
			snprintf(e->out, sizeof(e->out), "%s", out);
			e->res = res;
			if (strcmp(ref, "-")) /* one-step: the correction is on the event itself */
				dpush(&p->tc_err, added - res);
		} else if (strcmp(ref, "-")) {
			/* two-step: the follower carries the event's residence; find the event
			 * (same frame, sent the other way for a Delay_Resp) and measure it here */
			int64_t refid;
			if (!parse_i64_strict(ref, &refid)) {
				ds_error(r, "tc_ref '%s' is not a frame number", ref);
				break;
			}
			const char *evout = !strcmp(type, "Follow_Up") ? out : in;
			bool found = false;
			for (size_t k = 0; k < RING && k < rpos; k++) {
				struct ring_ent *e = &ring[(rpos - 1 - k) % RING];
				if (e->frame == (uint64_t)refid && !strcmp(e->out, evout)) {
					dpush(&p->tc_err, added - e->res);
					found = true;
					break;
				}
			}
			if (!found)
				p->tc_missing++;
		}
	}
	bool bad = rc != 0 || ds_failed(r);
	ds_reader_close(r);
	if (infile_close(&f, path))
		bad = true;
	return bad ? EXIT_USAGE : EXIT_OK;
}

/* ---- from two captures with a common clock ---- */
struct obs {
	uint8_t type, domain;
	struct ptp_port_id src, req; /* req: requestingPortIdentity of a Delay_Resp */
	uint16_t seq;
	int64_t ts;
	int64_t corr;
};

static int cmp_obs(const void *a, const void *b)
{
	const struct obs *x = a, *y = b;
	if (x->type != y->type)
		return x->type - y->type;
	if (x->domain != y->domain)
		return x->domain - y->domain;
	int c = memcmp(&x->src.clock, &y->src.clock, 8);
	if (c)
		return c;
	if (x->src.port != y->src.port)
		return x->src.port < y->src.port ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	c = memcmp(&x->req.clock, &y->req.clock, 8); /* Delay_Resp: to whom */
	if (c)
		return c;
	if (x->req.port != y->req.port)
		return x->req.port < y->req.port ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* cmp_obs without the time: the first index whose key is >= key's. */
static int cmp_key(const struct obs *x, const struct obs *y)
{
	struct obs a = *x, b = *y;
	a.ts = b.ts = 0;
	return cmp_obs(&a, &b);
}

static size_t lower_bound(const struct obs *arr, size_t n, const struct obs *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_key(&arr[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int load_pcap(const char *path, struct obs **out, size_t *n)
{
	struct infile f;
	struct pcap_in *in = infile_open_pcap(&f, path);
	if (!in)
		return EXIT_USAGE;
	size_t cap = 1024;
	*out = xmalloc(cap * sizeof(struct obs));
	*n = 0;
	struct ptp_packet pkt;
	int rc;
	while ((rc = pcap_in_next(in, &pkt)) > 0) {
		uint8_t t = pkt.msg.hdr.type;
		if (t != PTP_SYNC && t != PTP_DELAY_REQ && t != PTP_FOLLOW_UP && t != PTP_DELAY_RESP)
			continue;
		if (*n == cap) {
			cap *= 2;
			*out = xrealloc(*out, cap * sizeof(struct obs));
		}
		struct obs *o = &(*out)[(*n)++];
		memset(o, 0, sizeof(*o));
		o->type = t;
		o->domain = pkt.msg.hdr.domain;
		o->src = pkt.msg.hdr.source;
		o->seq = pkt.msg.hdr.seq;
		o->ts = pkt.ts.ns;
		o->corr = pkt.msg.hdr.correction;
		if (pkt.msg.has_port2)
			o->req = pkt.msg.port2;
	}
	pcap_in_close(in);
	if (infile_close(&f, path) || rc < 0) {
		free(*out); /* the caller frees only what a successful load returns */
		*out = NULL;
		return EXIT_USAGE;
	}
	qsort(*out, *n, sizeof(struct obs), cmp_obs);
	return EXIT_OK;
}

struct match {
	const struct obs *a, *b; /* a: master side, b: slave side */
};

static bool same_key(const struct obs *x, const struct obs *y)
{
	return x->type == y->type && x->domain == y->domain && x->seq == y->seq &&
	       ptp_port_id_eq(&x->src, &y->src) && ptp_port_id_eq(&x->req, &y->req);
}

static int from_pcaps(const char *pa, const char *pb, struct path_obs *paths, int *npaths)
{
	struct obs *a, *b;
	size_t na, nb;
	if (load_pcap(pa, &a, &na))
		return EXIT_USAGE;
	if (load_pcap(pb, &b, &nb)) {
		free(a);
		return EXIT_USAGE;
	}
	struct path_obs *p = path_get(paths, npaths, "captures");
	/* Matched event messages, for the two-step followers' check. */
	struct match *ev = xmalloc((na + 1) * sizeof(*ev));
	size_t nev = 0;
	/* The slaves behind the egress side: only their Delay_Reqs and Delay_Resps can be
	 * missing there (a switch with other ports sends other clients' traffic elsewhere). */
	struct ptp_port_id slaves[64];
	int nslaves = 0;
	for (size_t k = 0; k < nb; k++) {
		if (b[k].type != PTP_DELAY_REQ)
			continue;
		int s2;
		for (s2 = 0; s2 < nslaves; s2++)
			if (ptp_port_id_eq(&slaves[s2], &b[k].src))
				break;
		if (s2 == nslaves && nslaves < 64)
			slaves[nslaves++] = b[k].src;
	}
	int64_t t0 = na ? a[0].ts : 0;
	for (size_t i = 0; i < na; i++)
		if (a[i].ts < t0)
			t0 = a[i].ts;
	for (size_t i = 0; i < na; i++) {
		/* the first b with the same key within 1 s */
		const struct obs *m = NULL;
		for (size_t k = lower_bound(b, nb, &a[i]); k < nb && same_key(&b[k], &a[i]); k++)
			if (llabs(b[k].ts - a[i].ts) < 1000000000) {
				m = &b[k];
				break;
			}
		bool fwd = a[i].type == PTP_SYNC || a[i].type == PTP_FOLLOW_UP ||
			   a[i].type == PTP_DELAY_RESP;
		int d = fwd ? 0 : 1;
		if (a[i].type == PTP_DELAY_REQ || a[i].type == PTP_DELAY_RESP) {
			const struct ptp_port_id *who = a[i].type == PTP_DELAY_REQ ? &a[i].src : &a[i].req;
			bool ours = false;
			for (int s2 = 0; s2 < nslaves && !ours; s2++)
				ours = ptp_port_id_eq(&slaves[s2], who);
			if (!ours)
				continue;
		}
		p->d[d].total++;
		if (!m) {
			p->d[d].lost++;
			continue;
		}
		double res = fwd ? (double)(m->ts - a[i].ts) : (double)(a[i].ts - m->ts);
		double added = (double)(fwd ? m->corr - a[i].corr : a[i].corr - m->corr) / SNS_PER_NS;
		if (a[i].type == PTP_SYNC || a[i].type == PTP_DELAY_REQ) {
			dpush(&p->d[d].t, (double)(a[i].ts - t0) / 1e9);
			dpush(&p->d[d].res, res);
			if (added != 0)
				dpush(&p->tc_err, added - res);
			ev[nev].a = &a[i];
			ev[nev].b = m;
			nev++;
		}
	}
	/* Two-step: a Follow_Up's added correction against its Sync's residence, a
	 * Delay_Resp's against its Delay_Req's. */
	for (size_t i = 0; i < na; i++) {
		if (a[i].type != PTP_FOLLOW_UP && a[i].type != PTP_DELAY_RESP)
			continue;
		const struct obs *m = NULL;
		for (size_t k = lower_bound(b, nb, &a[i]); k < nb && same_key(&b[k], &a[i]); k++)
			if (llabs(b[k].ts - a[i].ts) < 1000000000) {
				m = &b[k];
				break;
			}
		if (!m)
			continue;
		double added = (double)(m->corr - a[i].corr) / SNS_PER_NS;
		if (added == 0)
			continue;
		/* the event this follower completes; ev[] is in a[]'s (key) order */
		struct obs key = a[i];
		key.type = a[i].type == PTP_FOLLOW_UP ? PTP_SYNC : PTP_DELAY_REQ;
		if (a[i].type == PTP_DELAY_RESP)
			key.src = a[i].req;
		memset(&key.req, 0, sizeof(key.req)); /* events have no requesting port */
		size_t lo = 0, hi = nev;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (cmp_key(ev[mid].a, &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		bool found = false;
		for (size_t e = lo; e < nev && same_key(ev[e].a, &key); e++) {
			const struct obs *x = ev[e].a;
			if (llabs(x->ts - a[i].ts) < 1000000000) {
				double res = x->type == PTP_SYNC ? (double)(ev[e].b->ts - x->ts) :
								  (double)(x->ts - ev[e].b->ts);
				dpush(&p->tc_err, added - res);
				found = true;
				break;
			}
		}
		if (!found)
			p->tc_missing++;
	}
	free(ev);
	free(a);
	free(b);
	return EXIT_OK;
}

/* ---- results ---- */
struct dir_res {
	size_t n;
	double mean, std, min, p1, p50, p99, max, pdv, loss;
	struct bias_estimate be;
	bool have_be;
};

struct path_res {
	struct dir_res d[2];
	double asym, asym_lo, asym_hi;
	bool have_asym;
	size_t tc_n;
	double tc_mean, tc_p99abs, tc_maxabs;
	uint64_t tc_missing;
	bool ok_latency, ok_pdv, ok_asym, ok_loss, ok_tc, pass;
};

static double pct(const double *sorted, size_t n, double p)
{
	return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

static void dir_stats(struct dir_obs *o, struct dir_res *r)
{
	memset(r, 0, sizeof(*r));
	r->n = o->res.n;
	r->loss = o->total ? (double)o->lost / (double)o->total : 0;
	if (!r->n) {
		r->mean = r->std = r->min = r->p1 = r->p50 = r->p99 = r->max = r->pdv = NAN;
		return;
	}
	r->have_be = r->n >= 8 && bias_estimate(o->t.v, o->res.v, r->n, &r->be) == 0;
	double *s = xmalloc(r->n * sizeof(double));
	memcpy(s, o->res.v, r->n * sizeof(double));
	gsl_sort(s, 1, r->n);
	r->mean = gsl_stats_mean(s, 1, r->n);
	r->std = r->n > 1 ? gsl_stats_sd(s, 1, r->n) : 0;
	r->min = s[0];
	r->max = s[r->n - 1];
	r->p1 = pct(s, r->n, 0.01);
	r->p50 = pct(s, r->n, 0.5);
	r->p99 = pct(s, r->n, 0.99);
	/* PDV as ITU-T Y.1540 (6.2.4) defines the 2-point variation: the 99th percentile of
	 * the delay minus its minimum. */
	r->pdv = r->p99 - r->min;
	free(s);
}

static void evaluate(struct path_obs *o, const struct limits *L, struct path_res *r)
{
	memset(r, 0, sizeof(*r));
	dir_stats(&o->d[0], &r->d[0]);
	dir_stats(&o->d[1], &r->d[1]);
	if (r->d[0].have_be && r->d[1].have_be) {
		r->have_asym = true;
		r->asym = r->d[0].be.mean - r->d[1].be.mean;
		double h0 = (r->d[0].be.ci_hi - r->d[0].be.ci_lo) / 2,
		       h1 = (r->d[1].be.ci_hi - r->d[1].be.ci_lo) / 2;
		double h = sqrt(h0 * h0 + h1 * h1); /* independent directions */
		r->asym_lo = r->asym - h;
		r->asym_hi = r->asym + h;
	}
	r->tc_n = o->tc_err.n;
	r->tc_missing = o->tc_missing;
	if (r->tc_n) {
		double *a = xmalloc(r->tc_n * sizeof(double));
		for (size_t i = 0; i < r->tc_n; i++)
			a[i] = fabs(o->tc_err.v[i]);
		r->tc_mean = gsl_stats_mean(o->tc_err.v, 1, r->tc_n);
		gsl_sort(a, 1, r->tc_n);
		r->tc_p99abs = pct(a, r->tc_n, 0.99);
		r->tc_maxabs = a[r->tc_n - 1];
		free(a);
	}
	r->ok_latency = !L->has_latency || (r->d[0].n && r->d[1].n && r->d[0].max <= L->latency &&
					    r->d[1].max <= L->latency);
	r->ok_pdv = !L->has_pdv || (r->d[0].n && r->d[1].n && r->d[0].pdv <= L->pdv &&
				    r->d[1].pdv <= L->pdv);
	/* asymmetry within the limit with 95 % confidence: the whole interval inside */
	r->ok_asym = !L->has_asym || (r->have_asym && r->asym_lo >= -L->asym && r->asym_hi <= L->asym);
	r->ok_loss = !L->has_loss || (r->d[0].loss <= L->loss && r->d[1].loss <= L->loss);
	/* a transparent clock's error: its mean (systematic) and its 99th percentile of |error| */
	r->ok_tc = !L->has_tc || (r->tc_n > 0 && fabs(r->tc_mean) <= L->tc && r->tc_p99abs <= L->tc);
	r->pass = r->ok_latency && r->ok_pdv && r->ok_asym && r->ok_loss && r->ok_tc;
}

static const char *verdict(bool given, bool ok)
{
	return !given ? "" : ok ? "  ok" : "  FAIL";
}

static void print_path(const char *name, const struct path_res *r, const struct limits *L)
{
	static const char *const dn[2] = { "fwd (master->slave, Sync)", "rev (slave->master, Delay_Req)" };
	char a[32], b[32], c[32], d[32], e[32], f[32];
	printf("%s:\n", name);
	for (int i = 0; i < 2; i++) {
		const struct dir_res *x = &r->d[i];
		printf("  %s: %zu events, loss %.3g %%\n", dn[i], x->n, 100 * x->loss);
		if (!x->n)
			continue;
		printf("    latency mean %s, std %s, min %s, p50 %s, p99 %s, max %s\n",
		       fmt_si_time(x->mean, a, 32), fmt_si_time(x->std, b, 32),
		       fmt_si_time(x->min, c, 32), fmt_si_time(x->p50, d, 32),
		       fmt_si_time(x->p99, e, 32), fmt_si_time(x->max, f, 32));
		printf("    PDV (p99 - min) %s\n", fmt_si_time(x->pdv, a, 32));
	}
	printf("  latency limit%s%s  PDV limit%s%s  loss limit%s%s\n",
	       L->has_latency ? " " : " none", verdict(L->has_latency, r->ok_latency),
	       L->has_pdv ? " " : " none", verdict(L->has_pdv, r->ok_pdv),
	       L->has_loss ? " " : " none", verdict(L->has_loss, r->ok_loss));
	if (r->have_asym)
		printf("  asymmetry (fwd - rev) %s  [%s, %s] 95 %%%s\n", fmt_si_time(r->asym, a, 32),
		       fmt_si_time(r->asym_lo, b, 32), fmt_si_time(r->asym_hi, c, 32),
		       verdict(L->has_asym, r->ok_asym));
	if (r->tc_n)
		printf("  transparent clock: %zu corrections, error (written - measured residence) "
		       "mean %s, p99 |err| %s, max |err| %s%s\n", r->tc_n,
		       fmt_si_time(r->tc_mean, a, 32), fmt_si_time(r->tc_p99abs, b, 32),
		       fmt_si_time(r->tc_maxabs, c, 32), verdict(L->has_tc, r->ok_tc));
	else
		printf("  transparent clock: no corrections seen%s\n", verdict(L->has_tc, r->ok_tc));
	if (r->tc_missing)
		printf("  %llu corrected followers without their event message\n",
		       (unsigned long long)r->tc_missing);
	printf("  => %s\n", r->pass ? "PASS" : "FAIL");
}

static void json_dir(struct json *j, const char *key, const struct dir_res *x)
{
	json_obj_begin(j, key);
	json_int(j, "events", (int64_t)x->n);
	json_num(j, "loss", x->loss);
	json_num(j, "latency_mean_ns", x->mean);
	json_num(j, "latency_std_ns", x->std);
	json_num(j, "latency_min_ns", x->min);
	json_num(j, "latency_p1_ns", x->p1);
	json_num(j, "latency_p50_ns", x->p50);
	json_num(j, "latency_p99_ns", x->p99);
	json_num(j, "latency_max_ns", x->max);
	json_num(j, "pdv_ns", x->pdv);
	if (x->have_be) {
		json_num(j, "mean_ci_lo_ns", x->be.ci_lo);
		json_num(j, "mean_ci_hi_ns", x->be.ci_hi);
	}
	json_obj_end(j);
}

static const char usage[] =
	"usage: ptpcal validate-switch (--log FRAMES | --ingress A.pcap --egress B.pcap) [limits]\n"
	"\n"
	"Two-point measurement of a switch: PTP event messages timed on both sides of it with one\n"
	"clock. Per direction: latency (mean, std, percentiles), PDV (p99 - min, ITU-T Y.1540),\n"
	"loss; the asymmetry mean(fwd) - mean(rev) with a 95 % interval; for a transparent clock,\n"
	"the error of each correctionField it added against the residence time measured here\n"
	"(one-step: on the Sync/Delay_Req itself; two-step: on the Follow_Up/Delay_Resp).\n"
	"\n"
	"  -l, --log FILE        the emulated switch's per-frame log (ptpcal lab switch --log)\n"
	"  -p, --port NAME       only this downstream port of the log\n"
	"  -a, --ingress FILE    capture on the master's side of the device (pcap/pcapng)\n"
	"  -b, --egress FILE     capture on the slave's side, same clock (e.g. two ports of one\n"
	"                        NIC with a shared PHC, or two veths of one host)\n"
	"      --max-latency D   each direction's maximum latency\n"
	"      --max-pdv D       each direction's PDV (p99 - min)\n"
	"      --max-asymmetry D |asymmetry| with 95 % confidence (the whole interval inside)\n"
	"      --max-loss P      each direction's loss (0.01 or 1%)\n"
	"      --max-tc-error D  transparent clock: |mean error| and p99 |error| (fails when no\n"
	"                        correction was seen)\n"
	"      --json            results as JSON on stdout\n"
	"  -h, --help\n"
	"\n"
	"Exit: 0 every limit met, 1 a limit failed, 2 bad usage or input.\n";

static bool limit_time(const char *opt, const char *s, double *v, bool *has)
{
	if (!parse_time_value(s, 1.0, v) || *v < 0) {
		usage_error("%s %s: expected a non-negative duration (like 5us)", opt, s);
		return false;
	}
	*has = true;
	return true;
}

int cmd_validate_switch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "ingress", required_argument, NULL, 'a' },
		{ "egress", required_argument, NULL, 'b' },
		{ "max-latency", required_argument, NULL, 'L' },
		{ "max-pdv", required_argument, NULL, 'P' },
		{ "max-asymmetry", required_argument, NULL, 'A' },
		{ "max-loss", required_argument, NULL, 'O' },
		{ "max-tc-error", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *log_path = NULL, *only = NULL, *pa = NULL, *pb = NULL;
	struct limits L = { 0 };
	bool json = false, quiet = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "l:p:a:b:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': log_path = optarg; break;
		case 'p': only = optarg; break;
		case 'a': pa = optarg; break;
		case 'b': pb = optarg; break;
		case 'L':
			if (!limit_time("--max-latency", optarg, &L.latency, &L.has_latency))
				return EXIT_USAGE;
			break;
		case 'P':
			if (!limit_time("--max-pdv", optarg, &L.pdv, &L.has_pdv))
				return EXIT_USAGE;
			break;
		case 'A':
			if (!limit_time("--max-asymmetry", optarg, &L.asym, &L.has_asym))
				return EXIT_USAGE;
			break;
		case 'T':
			if (!limit_time("--max-tc-error", optarg, &L.tc, &L.has_tc))
				return EXIT_USAGE;
			break;
		case 'O': {
			char buf[64];
			snprintf(buf, sizeof(buf), "%s", optarg);
			size_t n = strlen(buf);
			double scale = 1;
			if (n && buf[n - 1] == '%') {
				buf[n - 1] = 0;
				scale = 0.01;
			}
			if (!parse_double_strict(buf, &L.loss) || L.loss * scale < 0 || L.loss * scale > 1)
				return usage_error("--max-loss %s: expected a probability (0.01 or 1%%)",
						   optarg);
			L.loss *= scale;
			L.has_loss = true;
			break;
		}
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!log_path == !(pa || pb))
		return usage_error("give either --log FILE or --ingress and --egress");
	if (!log_path && (!pa || !pb))
		return usage_error("two captures are needed: --ingress and --egress");
	if (only && !log_path)
		return usage_error("--port selects a port of a switch log");
	static struct path_obs paths[MAX_PATHS];
	int npaths = 0;
	int st = log_path ? from_log(log_path, only, paths, &npaths) : from_pcaps(pa, pb, paths, &npaths);
	if (st)
		return st;
	if (npaths == 0) {
		log_err("%s: no frames%s%s", log_path ? log_path : pa, only ? " for port " : "",
			only ? only : "");
		return EXIT_USAGE;
	}
	bool all = true;
	struct json j;
	if (json) {
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "source", log_path ? log_path : "captures");
		json_arr_begin(&j, "ports");
	}
	for (int i = 0; i < npaths; i++) {
		struct path_res r;
		evaluate(&paths[i], &L, &r);
		all = all && r.pass;
		if (json) {
			json_obj_begin(&j, NULL);
			json_str(&j, "port", paths[i].name);
			json_dir(&j, "fwd", &r.d[0]);
			json_dir(&j, "rev", &r.d[1]);
			json_num(&j, "asymmetry_ns", r.have_asym ? r.asym : NAN);
			json_num(&j, "asymmetry_ci_lo_ns", r.have_asym ? r.asym_lo : NAN);
			json_num(&j, "asymmetry_ci_hi_ns", r.have_asym ? r.asym_hi : NAN);
			json_int(&j, "tc_corrections", (int64_t)r.tc_n);
			json_num(&j, "tc_error_mean_ns", r.tc_n ? r.tc_mean : NAN);
			json_num(&j, "tc_error_p99_abs_ns", r.tc_n ? r.tc_p99abs : NAN);
			json_num(&j, "tc_error_max_abs_ns", r.tc_n ? r.tc_maxabs : NAN);
			json_obj_begin(&j, "checks");
			json_bool(&j, "latency", r.ok_latency);
			json_bool(&j, "pdv", r.ok_pdv);
			json_bool(&j, "asymmetry", r.ok_asym);
			json_bool(&j, "loss", r.ok_loss);
			json_bool(&j, "tc_error", r.ok_tc);
			json_obj_end(&j);
			json_bool(&j, "pass", r.pass);
			json_obj_end(&j);
		} else if (!quiet) {
			print_path(paths[i].name, &r, &L);
		}
		for (int d = 0; d < 2; d++) {
			free(paths[i].d[d].t.v);
			free(paths[i].d[d].res.v);
		}
		free(paths[i].tc_err.v);
	}
	if (json) {
		json_arr_end(&j);
		json_bool(&j, "pass", all);
		json_obj_end(&j);
		json_finish(&j);
	}
	return all ? EXIT_OK : EXIT_FAILED;
}
