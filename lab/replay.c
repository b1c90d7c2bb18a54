/* ptpcal lab replay (see replay.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/bias.h"
#include "capture/exchange.h"
#include "capture/exchange_io.h"
#include "capture/pcap_in.h"
#include "common/cli.h"
#include "common/dataset.h"
#include "common/json.h"
#include "common/log.h"
#include "lab/infile.h"
#include "lab/replay.h"

#define NSEGMENTS 5

/* ---- growing arrays ---- */
struct ex_rec {
	struct ptime t2, t3;
	uint16_t sync_seq, req_seq;
	double offset_ns;
};

struct frame_rec {
	int64_t rx, tx;        /* switch times */
	uint64_t frame;
	uint16_t seq;
	double residence_ns;
	double corr_ns;        /* TC correction added for this event (here or on its follower) */
};

struct vec {
	void *p;
	size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 256;
		v->p = xrealloc(v->p, v->cap * v->size);
	}
	return (char *)v->p + v->n++ * v->size;
}

static void on_exchange(void *ctx, const struct exchange *ex)
{
	struct vec *v = ctx;
	struct ex_rec *r = vec_push(v);
	r->t2 = ex->t2;
	r->t3 = ex->t3;
	r->sync_seq = ex->sync_seq;
	r->req_seq = ex->req_seq;
	r->offset_ns = ex->offset_ns;
}

static void write_row(void *ctx, const struct exchange *ex)
{
	exchange_writer_row(ctx, ex);
}

/* ---- the switch log: Syncs towards the client's port, Delay_Reqs from it ---- */
struct log_cols {
	int frame, in, out, type, seq, rx, tx, residence, corr_in, corr_out, tc_ref, fate;
};

static int cmp_frame_id(const void *a, const void *b)
{
	const struct frame_rec *x = a, *y = b;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int cmp_tx(const void *a, const void *b)
{
	const struct frame_rec *x = a, *y = b;
	return x->tx < y->tx ? -1 : x->tx > y->tx;
}

static int cmp_rx(const void *a, const void *b)
{
	const struct frame_rec *x = a, *y = b;
	return x->rx < y->rx ? -1 : x->rx > y->rx;
}

static struct frame_rec *by_frame(struct vec *v, uint64_t id)
{
	struct frame_rec key = { .frame = id };
	return bsearch(&key, v->p, v->n, sizeof(struct frame_rec), cmp_frame_id);
}

static bool read_switch_log(const char *path, const char *port, const char *upstream,
			    struct vec *syncs, struct vec *reqs)
{
	struct infile f;
	if (!infile_open(&f, path))
		return false;
	struct ds_reader *r = ds_open(f.path, "switch-frames");
	if (!r) {
		infile_close(&f, path);
		return false;
	}
	struct log_cols c;
	c.frame = ds_require_col(r, "frame");
	c.in = ds_require_col(r, "in");
	c.out = ds_require_col(r, "out");
	c.type = ds_require_col(r, "type");
	c.seq = ds_require_col(r, "seq");
	c.rx = ds_require_col(r, "rx");
	c.tx = ds_require_col(r, "tx");
	c.residence = ds_require_col(r, "residence_ns");
	c.corr_in = ds_require_col(r, "corr_in_sns");
	c.corr_out = ds_require_col(r, "corr_out_sns");
	c.tc_ref = ds_require_col(r, "tc_ref");
	c.fate = ds_require_col(r, "fate");
	bool ok = c.frame >= 0 && c.in >= 0 && c.out >= 0 && c.type >= 0 && c.seq >= 0 &&
		  c.rx >= 0 && c.tx >= 0 && c.residence >= 0 && c.corr_in >= 0 && c.corr_out >= 0 &&
		  c.tc_ref >= 0 && c.fate >= 0;
	/* Corrections written on followers (two-step): by referenced frame id. */
	struct vec fup_corr = { .size = sizeof(struct frame_rec) };
	struct vec resp_corr = { .size = sizeof(struct frame_rec) };
	int rc;
	while (ok && (rc = ds_next(r)) != 0) {
		if (rc < 0) {
			ok = false;
			break;
		}
		if (strcmp(ds_field(r, c.fate), "sent"))
			continue;
		const char *type = ds_field(r, c.type), *in = ds_field(r, c.in),
			   *out = ds_field(r, c.out);
		bool sync = !strcmp(type, "Sync") && !strcmp(in, upstream) && !strcmp(out, port);
		bool req = !strcmp(type, "Delay_Req") && !strcmp(in, port) && !strcmp(out, upstream);
		bool fup = !strcmp(type, "Follow_Up") && !strcmp(in, upstream) && !strcmp(out, port);
		bool resp = !strcmp(type, "Delay_Resp") && !strcmp(in, upstream) && !strcmp(out, port);
		if (!sync && !req && !fup && !resp)
			continue;
		int64_t id, seq, ci, co;
		struct ptime rx, tx;
		if (!ds_get_i64(r, c.frame, &id) || !ds_get_i64(r, c.seq, &seq) ||
		    !ds_get_i64(r, c.corr_in, &ci) || !ds_get_i64(r, c.corr_out, &co) ||
		    !ds_get_time(r, c.rx, &rx) || !ds_get_time(r, c.tx, &tx) || seq < 0 ||
		    seq > 65535 || id < 0) {
			ok = false;
			break;
		}
		double added = (double)(co - ci) / SNS_PER_NS;
		if (fup || resp) {
			const char *ref = ds_field(r, c.tc_ref);
			int64_t refid;
			if (!strcmp(ref, "-") || added == 0)
				continue;
			if (!parse_i64_strict(ref, &refid)) {
				ds_error(r, "tc_ref '%s' is not a frame number", ref);
				ok = false;
				break;
			}
			struct frame_rec *fr = vec_push(fup ? &fup_corr : &resp_corr);
			fr->frame = (uint64_t)refid;
			fr->corr_ns = added;
			continue;
		}
		struct frame_rec *fr = vec_push(sync ? syncs : reqs);
		fr->frame = (uint64_t)id;
		fr->seq = (uint16_t)seq;
		fr->rx = rx.ns;
		fr->tx = tx.ns;
		fr->residence_ns = (double)(tx.ns - rx.ns);
		fr->corr_ns = added; /* one-step: on the event itself */
	}
	ok = ok && !ds_failed(r);
	ds_reader_close(r);
	if (infile_close(&f, path))
		ok = false;
	if (ok) {
		qsort(syncs->p, syncs->n, sizeof(struct frame_rec), cmp_frame_id);
		qsort(reqs->p, reqs->n, sizeof(struct frame_rec), cmp_frame_id);
		struct frame_rec *fc = fup_corr.p, *rc2 = resp_corr.p;
		for (size_t i = 0; i < fup_corr.n; i++) {
			struct frame_rec *e = by_frame(syncs, fc[i].frame);
			if (e)
				e->corr_ns += fc[i].corr_ns;
		}
		for (size_t i = 0; i < resp_corr.n; i++) {
			struct frame_rec *e = by_frame(reqs, rc2[i].frame);
			if (e)
				e->corr_ns += rc2[i].corr_ns;
		}
		qsort(syncs->p, syncs->n, sizeof(struct frame_rec), cmp_tx);
		qsort(reqs->p, reqs->n, sizeof(struct frame_rec), cmp_rx);
	}
	free(fup_corr.p);
	free(resp_corr.p);
	return ok;
}

/* The Sync that left the switch for this client last before the client saw it (t2), with
 * the exchange's sequenceId; the Delay_Req that reached the switch first after the client
 * sent it (t3). Searched by time so that sequenceId wrap-around cannot mismatch. */
static const struct frame_rec *match_sync(const struct vec *v, uint16_t seq, int64_t t2)
{
	const struct frame_rec *a = v->p;
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a[mid].tx <= t2)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = 0; k < 8 && lo > 0; k++, lo--)
		if (a[lo - 1].seq == seq && t2 - a[lo - 1].tx < 1000000000)
			return &a[lo - 1];
	return NULL;
}

static const struct frame_rec *match_req(const struct vec *v, uint16_t seq, int64_t t3)
{
	const struct frame_rec *a = v->p;
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a[mid].rx < t3)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = 0; k < 8 && lo < v->n; k++, lo++)
		if (a[lo].seq == seq && a[lo].rx - t3 < 1000000000)
			return &a[lo];
	return NULL;
}

/* ---- ptp4l's own per-sample offsets ("master offset X s0 freq F path delay D") ---- */
static bool read_ptp4l(const char *path, struct vec *t, struct vec *off)
{
	struct infile f;
	if (!infile_open(&f, path))
		return false;
	FILE *fp = fopen(f.path, "r");
	if (!fp) {
		log_err("%s: %s", path, strerror(errno));
		infile_close(&f, path);
		return false;
	}
	char line[512];
	while (fgets(line, sizeof(line), fp)) {
		double ts;
		long long o;
		const char *m = strstr(line, "master offset ");
		const char *b = strchr(line, '[');
		if (!m || !b || sscanf(b + 1, "%lf", &ts) != 1 ||
		    sscanf(m + 14, "%lld", &o) != 1)
			continue;
		*(double *)vec_push(t) = ts;
		*(double *)vec_push(off) = (double)o;
	}
	fclose(fp);
	return infile_close(&f, path) == 0;
}

/* ---- one client ---- */
struct floor_val {
	bool have;
	double ns, hw;
};

struct client_result {
	char client[64], port[64], tc[32];
	double injected_asym;
	size_t nex, matched;
	struct bias_estimate off;
	bool have_truth;
	double truth_asym;            /* 2 * mean predicted offset over matched exchanges */
	struct bias_estimate resid;   /* offset - predicted: the floor */
	double resid_p10, resid_p90;  /* its per-exchange 10th and 90th percentiles */
	bool have_resid;
	double seg_mean[NSEGMENTS];
	double recovered, rec_lo, rec_hi;
	bool have_ptp4l;
	struct bias_estimate p4l;
	size_t p4l_n;
	double p4l_mean, p4l_median; /* the median: one late Sync among ~40 logged moves the mean */
	bool pass;
};

static void join(const char *dir, const char *rel, char *out, size_t len)
{
	if (rel[0] == '/')
		snprintf(out, len, "%s", rel);
	else
		snprintf(out, len, "%s/%s", dir, rel);
}

static int replay_client(const char *dir, struct ds_reader *man, const char *switch_log,
			 const char *upstream, const char *out_path, const struct floor_val *floor,
			 struct client_result *res)
{
	memset(res, 0, sizeof(*res));
	int cc = ds_require_col(man, "client"), cp = ds_require_col(man, "switch_port"),
	    ccap = ds_require_col(man, "capture"), cinj = ds_require_col(man, "injected_asymmetry_ns"),
	    ctc = ds_require_col(man, "transparent_clock"), clog = ds_col(man, "ptp4l_log"),
	    csl = ds_require_col(man, "slave_port");
	if (cc < 0 || cp < 0 || ccap < 0 || cinj < 0 || ctc < 0 || csl < 0)
		return EXIT_USAGE;
	/* Only this client's exchanges: the switch floods other clients' Delay_Reqs to it. */
	struct pairer_opts po = { 0 };
	if (strcmp(ds_field(man, csl), "-")) {
		if (!ptp_port_id_parse(ds_field(man, csl), &po.slave)) {
			ds_error(man, "slave_port '%s' is not a port identity", ds_field(man, csl));
			return EXIT_USAGE;
		}
		po.have_slave = true;
	}
	snprintf(res->client, sizeof(res->client), "%s", ds_field(man, cc));
	snprintf(res->port, sizeof(res->port), "%s", ds_field(man, cp));
	snprintf(res->tc, sizeof(res->tc), "%s", ds_field(man, ctc));
	if (!ds_get_double(man, cinj, &res->injected_asym))
		return EXIT_USAGE;
	char path[1200];
	join(dir, ds_field(man, ccap), path, sizeof(path));

	/* capture -> exchanges */
	struct infile f;
	struct pcap_in *in = infile_open_pcap(&f, path);
	if (!in)
		return EXIT_USAGE;
	struct vec ex = { .size = sizeof(struct ex_rec) };
	struct exchange_writer *w = NULL;
	struct pairer *pr = pairer_new(&po, on_exchange, NULL, &ex);
	struct ptp_packet pkt;
	int rc;
	while ((rc = pcap_in_next(in, &pkt)) > 0)
		pairer_feed(pr, &pkt);
	pairer_finish(pr);
	pairer_free(pr);
	pcap_in_close(in);
	if (infile_close(&f, path) || rc < 0) {
		free(ex.p);
		return EXIT_USAGE;
	}
	res->nex = ex.n;
	if (ex.n < 8) {
		log_err("%s: only %zu exchanges: too few to estimate a bias", path, ex.n);
		free(ex.p);
		return EXIT_USAGE;
	}
	struct ex_rec *e = ex.p;
	double *t = xmalloc(ex.n * sizeof(double)), *v = xmalloc(ex.n * sizeof(double));
	for (size_t i = 0; i < ex.n; i++) {
		t[i] = ptime_diff_ns(e[i].t2, e[0].t2) / 1e9;
		v[i] = e[i].offset_ns;
	}
	bias_estimate(t, v, ex.n, &res->off);
	for (int s = 0; s < NSEGMENTS; s++) {
		size_t a = ex.n * (size_t)s / NSEGMENTS, b = ex.n * (size_t)(s + 1) / NSEGMENTS;
		double sum = 0;
		for (size_t i = a; i < b; i++)
			sum += v[i];
		res->seg_mean[s] = b > a ? sum / (double)(b - a) : NAN;
	}

	/* truth from the switch log, exchange by exchange */
	if (switch_log) {
		struct vec syncs = { .size = sizeof(struct frame_rec) };
		struct vec reqs = { .size = sizeof(struct frame_rec) };
		char lp[1200];
		join(dir, switch_log, lp, sizeof(lp));
		if (!read_switch_log(lp, res->port, upstream, &syncs, &reqs)) {
			free(syncs.p);
			free(reqs.p);
			free(t);
			free(v);
			free(ex.p);
			return EXIT_USAGE;
		}
		double *rt = xmalloc(ex.n * sizeof(double)), *rv = xmalloc(ex.n * sizeof(double));
		double psum = 0;
		size_t m = 0;
		for (size_t i = 0; i < ex.n; i++) {
			const struct frame_rec *fs = match_sync(&syncs, e[i].sync_seq, e[i].t2.ns);
			const struct frame_rec *fq = match_req(&reqs, e[i].req_seq, e[i].t3.ns);
			if (!fs || !fq)
				continue;
			/* IEEE 1588: offset = theta + (d_ms - d_sm)/2, theta = 0; the part of each
			 * delay a transparent clock corrected for does not count. */
			double pred = ((fs->residence_ns - fs->corr_ns) -
				       (fq->residence_ns - fq->corr_ns)) / 2;
			psum += pred;
			rt[m] = t[i];
			rv[m] = v[i] - pred;
			m++;
		}
		res->matched = m;
		if (m >= 8) {
			res->have_truth = true;
			res->truth_asym = 2 * psum / (double)m;
			res->have_resid = bias_estimate(rt, rv, m, &res->resid) == 0;
			/* The floor is not one value: it switches between a few states (a few us
			 * apart) at random, so two clients' mean floors differ by up to the span
			 * of those states; its percentiles show that span (rv no longer needed). */
			gsl_sort(rv, 1, m);
			res->resid_p10 = gsl_stats_quantile_from_sorted_data(rv, 1, m, 0.10);
			res->resid_p90 = gsl_stats_quantile_from_sorted_data(rv, 1, m, 0.90);
		} else {
			log_warn("%s: only %zu of %zu exchanges found in the switch log %s", res->client,
				 m, ex.n, lp);
		}
		free(rt);
		free(rv);
		free(syncs.p);
		free(reqs.p);
	}
	if (!res->have_truth)
		res->truth_asym = res->injected_asym; /* expected by construction only */

	/* recovered asymmetry: twice the bias above the floor */
	double fl = floor->have ? floor->ns : 0, fh = floor->have ? floor->hw : 0;
	double hw = sqrt(pow((res->off.ci_hi - res->off.ci_lo) / 2, 2) + fh * fh);
	res->recovered = 2 * (res->off.mean - fl);
	res->rec_lo = res->recovered - 2 * hw;
	res->rec_hi = res->recovered + 2 * hw;
	res->pass = res->truth_asym >= res->rec_lo && res->truth_asym <= res->rec_hi;

	if (clog >= 0 && strcmp(ds_field(man, clog), "-")) {
		char pp[1200];
		join(dir, ds_field(man, clog), pp, sizeof(pp));
		struct vec pt = { .size = sizeof(double) }, po2 = { .size = sizeof(double) };
		if (read_ptp4l(pp, &pt, &po2) && po2.n >= 8) {
			res->have_ptp4l = true;
			res->p4l_n = po2.n;
			double s = 0;
			for (size_t i = 0; i < po2.n; i++)
				s += ((double *)po2.p)[i];
			res->p4l_mean = s / (double)po2.n;
			bias_estimate(pt.p, po2.p, po2.n, &res->p4l);
			gsl_sort(po2.p, 1, po2.n); /* after the estimate: it needs them in time order */
			res->p4l_median = gsl_stats_median_from_sorted_data(po2.p, 1, po2.n);
		}
		free(pt.p);
		free(po2.p);
	}

	if (out_path) {
		/* the exchanges again, as a dataset with the lab's truth appended */
		w = exchange_writer_open(out_path);
		if (!w) {
			free(t);
			free(v);
			free(ex.p);
			return EXIT_USAGE;
		}
	}
	if (w) {
		struct infile f2;
		int st = EXIT_OK;
		if (infile_open(&f2, path)) {
			struct pcap_in *in2 = pcap_in_open_offline_as(f2.path, path);
			if (in2) {
				struct ds_writer *d = exchange_writer_ds(w);
				ds_meta(d, "source", "%s", path);
				ds_meta(d, "capture_side", "slave (the port that sends Delay_Req)");
				ds_meta(d, "sign_convention", "offset = slave - master (IEEE 1588, ptp4l)");
				struct pairer *p2 = pairer_new(&po, write_row, NULL, w);
				while (pcap_in_next(in2, &pkt) > 0)
					pairer_feed(p2, &pkt);
				pairer_finish(p2);
				pairer_free(p2);
				pcap_in_close(in2);
				ds_meta(d, "truth_offset_ns", "0");
				ds_meta(d, "truth_source", "lab: one host clock");
				ds_meta(d, "injected_asymmetry_ns", "%.3f", res->injected_asym);
				ds_meta(d, "transparent_clock", "%s", res->tc);
				ds_meta(d, "free_running", "1");
				if (res->have_truth)
					ds_meta(d, "realised_asymmetry_ns", "%.3f", res->truth_asym);
			} else {
				st = EXIT_USAGE;
			}
			infile_close(&f2, path);
		}
		if (exchange_writer_close(w) || st) {
			free(t);
			free(v);
			free(ex.p);
			return EXIT_USAGE;
		}
	}
	free(t);
	free(v);
	free(ex.p);
	return EXIT_OK;
}

/* ---- output ---- */
static void json_bias(struct json *j, const char *key, const struct bias_estimate *b)
{
	json_obj_begin(j, key);
	json_int(j, "n", (int64_t)b->n);
	json_num(j, "mean_ns", b->mean);
	json_num(j, "ci_lo_ns", b->ci_lo);
	json_num(j, "ci_hi_ns", b->ci_hi);
	json_num(j, "std_ns", b->std);
	json_num(j, "stderr_ns", b->stderr);
	json_num(j, "stderr_naive_ns", b->stderr_naive);
	json_num(j, "n_eff", b->n_eff);
	json_str(j, "method", b->method);
	json_bool(j, "short_run", b->short_run);
	json_bool(j, "halves_agree", b->halves_agree);
	json_bool(j, "drift_significant", b->drift_significant);
	json_obj_end(j);
}

static void print_result(const struct client_result *r, const struct floor_val *fl)
{
	char a[32], b[32], c[32], d[32];
	printf("%s (switch port %s, transparent clock %s): %zu exchanges\n", r->client, r->port,
	       r->tc, r->nex);
	printf("  offset bias      %s  [%s, %s] 95 %%  (std %s, n_eff %.0f, %s)\n",
	       fmt_si_time(r->off.mean, a, 32), fmt_si_time(r->off.ci_lo, b, 32),
	       fmt_si_time(r->off.ci_hi, c, 32), fmt_si_time(r->off.std, d, 32), r->off.n_eff,
	       r->off.method);
	printf("  truth            asymmetry %s %s, configured %s\n",
	       fmt_si_time(r->truth_asym, a, 32),
	       r->have_truth ? "(realised, from the switch log, per exchange)" :
			       "(configured only: no switch log)",
	       fmt_si_time(r->injected_asym, b, 32));
	if (r->have_resid) {
		printf("  floor            offset - IEEE 1588 prediction: %s [%s, %s] (std %s; %zu "
		       "exchanges matched)\n", fmt_si_time(r->resid.mean, a, 32),
		       fmt_si_time(r->resid.ci_lo, b, 32), fmt_si_time(r->resid.ci_hi, c, 32),
		       fmt_si_time(r->resid.std, d, 32), r->matched);
		printf("                   per exchange p10 %s, p90 %s\n",
		       fmt_si_time(r->resid_p10, a, 32), fmt_si_time(r->resid_p90, b, 32));
	}
	printf("  recovered        asymmetry 2 x (bias - floor %s) = %s [%s, %s]  %s\n",
	       fl->have ? fmt_si_time(fl->ns, d, 32) : "0", fmt_si_time(r->recovered, a, 32),
	       fmt_si_time(r->rec_lo, b, 32), fmt_si_time(r->rec_hi, c, 32),
	       r->pass ? "PASS: truth inside" : "FAIL: truth outside");
	if (r->have_ptp4l)
		printf("  ptp4l            %zu samples, mean offset %s [%s, %s], median %s (its own "
		       "timestamps: no capture floor)\n", r->p4l_n, fmt_si_time(r->p4l_mean, a, 32),
		       fmt_si_time(r->p4l.ci_lo, b, 32), fmt_si_time(r->p4l.ci_hi, c, 32),
		       fmt_si_time(r->p4l_median, d, 32));
}

static void json_result(struct json *j, const struct client_result *r)
{
	json_obj_begin(j, NULL);
	json_str(j, "client", r->client);
	json_str(j, "switch_port", r->port);
	json_str(j, "transparent_clock", r->tc);
	json_int(j, "exchanges", (int64_t)r->nex);
	json_int(j, "matched_in_switch_log", (int64_t)r->matched);
	json_bias(j, "offset", &r->off);
	json_num(j, "injected_asymmetry_ns", r->injected_asym);
	json_bool(j, "truth_from_switch_log", r->have_truth);
	json_num(j, "truth_asymmetry_ns", r->truth_asym);
	json_num(j, "predicted_offset_ns", r->truth_asym / 2);
	if (r->have_resid) {
		json_bias(j, "floor", &r->resid);
		json_num(j, "floor_p10_ns", r->resid_p10);
		json_num(j, "floor_p90_ns", r->resid_p90);
	}
	json_arr_begin(j, "segment_means_ns");
	for (int s = 0; s < NSEGMENTS; s++)
		json_num(j, NULL, r->seg_mean[s]);
	json_arr_end(j);
	json_num(j, "recovered_asymmetry_ns", r->recovered);
	json_num(j, "recovered_ci_lo_ns", r->rec_lo);
	json_num(j, "recovered_ci_hi_ns", r->rec_hi);
	json_bool(j, "pass", r->pass);
	if (r->have_ptp4l) {
		json_bias(j, "ptp4l_offset", &r->p4l);
		json_num(j, "ptp4l_offset_median_ns", r->p4l_median);
	}
	json_obj_end(j);
}

static const char usage[] =
	"usage: ptpcal lab replay [options] DIR\n"
	"\n"
	"Replays a lab dataset (DIR/manifest.tsv, written by ptpcal lab run, or one of datasets/)\n"
	"through capture and the bias estimate, and checks the recovered asymmetry against the\n"
	"truth. For every client: its exchanges are paired from its capture; their mean offset gets\n"
	"an autocorrelation-aware 95 % interval (analyze/bias.h); each exchange is matched in the\n"
	"switch log, whose residence times give the IEEE 1588 prediction\n"
	"    offset = theta + (d_ms - d_sm)/2,  theta = 0  (slave - master; one host clock)\n"
	"(minus any transparent-clock correction); the recovered asymmetry 2 x (bias - floor) must\n"
	"hold the realised asymmetry inside its interval. The floor is the lab's own bias at zero\n"
	"asymmetry (capture tap, veth legs; docs/lab.md).\n"
	"\n"
	"  -c, --client NAME       only this client (cl1, ...)\n"
	"  -f, --floor NS[:HW]     the floor and its 95 % half-width, ns (default 0)\n"
	"  -F, --floor-from DIR    measure the floor on this zero-asymmetry dataset first\n"
	"  -o, --output FILE       the exchanges of --client, with the lab's truth in the metadata\n"
	"      --json              results as JSON on stdout\n"
	"  -q, --quiet / -h, --help\n"
	"\n"
	"Exit: 0 truth inside the interval for every client, 1 not, 2 bad usage or input.\n";

static int replay_dir(const char *dir, const char *only, const char *out, const struct floor_val *fl,
		      struct client_result *results, int max, int *nres)
{
	char mp[1200];
	snprintf(mp, sizeof(mp), "%s/manifest.tsv", dir);
	struct ds_reader *man = ds_open(mp, "lab");
	if (!man)
		return EXIT_USAGE;
	const char *sl = ds_meta_get(man, "switch_log");
	const char *up = ds_meta_get(man, "switch_upstream");
	char switch_log[600] = "", upstream[64] = "sw0";
	if (sl && strcmp(sl, "-"))
		snprintf(switch_log, sizeof(switch_log), "%s", sl);
	if (up)
		snprintf(upstream, sizeof(upstream), "%s", up);
	int rc, status = EXIT_OK;
	*nres = 0;
	int cc = ds_require_col(man, "client");
	if (cc < 0) {
		ds_reader_close(man);
		return EXIT_USAGE;
	}
	while ((rc = ds_next(man)) > 0) {
		if (only && strcmp(ds_field(man, cc), only))
			continue;
		if (*nres == max) {
			log_err("%s: more than %d clients", mp, max);
			status = EXIT_USAGE;
			break;
		}
		int r = replay_client(dir, man, switch_log[0] ? switch_log : NULL, upstream, out, fl,
				      &results[*nres]);
		if (r) {
			status = r;
			break;
		}
		(*nres)++;
	}
	if (rc < 0 || ds_failed(man))
		status = EXIT_USAGE;
	ds_reader_close(man);
	if (status == EXIT_OK && *nres == 0) {
		log_err("%s: no client%s%s", mp, only ? " named " : "", only ? only : "");
		status = EXIT_USAGE;
	}
	return status;
}

#define MAX_CLIENTS 32

int lab_replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "client", required_argument, NULL, 'c' },
		{ "floor", required_argument, NULL, 'f' },
		{ "floor-from", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *out = NULL, *floor_dir = NULL;
	struct floor_val fl = { 0 };
	bool json = false, quiet = false;
	int c;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "c:f:F:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': only = optarg; break;
		case 'f': {
			char buf[128];
			snprintf(buf, sizeof(buf), "%s", optarg);
			char *colon = strchr(buf, ':');
			if (colon)
				*colon = 0;
			if (!parse_time_value(buf, 1.0, &fl.ns) ||
			    (colon && (!parse_time_value(colon + 1, 1.0, &fl.hw) || fl.hw < 0)))
				return usage_error("--floor %s: expected NS or NS:HALFWIDTH (e.g. "
						   "-2100:80 or -2.1us:80ns)", optarg);
			fl.have = true;
			break;
		}
		case 'F': floor_dir = optarg; break;
		case 'o': out = optarg; break;
		case 'j': json = true; break;
		case 'q': quiet = true; log_set_verbosity(-1); break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error(optind == argc ? "no dataset directory" : "one dataset directory");
	if (out && !only)
		return usage_error("--output needs --client");
	if (fl.have && floor_dir)
		return usage_error("--floor and --floor-from exclude each other");
	static struct client_result results[MAX_CLIENTS];
	int n;
	struct floor_val none = { 0 };
	if (floor_dir) {
		int st = replay_dir(floor_dir, NULL, NULL, &none, results, MAX_CLIENTS, &n);
		if (st)
			return st;
		/* The floor is offset - per-exchange prediction, so the realised asymmetry need
		 * not be exactly zero; the configured one must be (a symmetric path). */
		if (n != 1 || !results[0].have_resid || fabs(results[0].injected_asym) > 0.5) {
			log_err("%s: a floor dataset needs one client, a switch log and no injected "
				"asymmetry (configured %.0f ns)", floor_dir, results[0].injected_asym);
			return EXIT_USAGE;
		}
		/* The floor is what the measured bias holds beyond the IEEE 1588 prediction at
		 * zero asymmetry: the residual's mean and its interval. */
		fl.have = true;
		fl.ns = results[0].resid.mean;
		fl.hw = (results[0].resid.ci_hi - results[0].resid.ci_lo) / 2;
		if (!quiet && !json)
			printf("floor from %s: %.1f ns +- %.1f ns (95 %%)\n", floor_dir, fl.ns, fl.hw);
	}
	int st = replay_dir(argv[optind], only, out, &fl, results, MAX_CLIENTS, &n);
	if (st)
		return st;
	bool all = true;
	for (int i = 0; i < n; i++)
		all = all && results[i].pass;
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "dataset", argv[optind]);
		json_bool(&j, "floor_given", fl.have);
		json_num(&j, "floor_ns", fl.have ? fl.ns : 0);
		json_num(&j, "floor_halfwidth_ns", fl.have ? fl.hw : 0);
		json_arr_begin(&j, "clients");
		for (int i = 0; i < n; i++)
			json_result(&j, &results[i]);
		json_arr_end(&j);
		json_bool(&j, "pass", all);
		json_obj_end(&j);
		json_finish(&j);
	} else if (!quiet) {
		for (int i = 0; i < n; i++)
			print_result(&results[i], &fl);
	}
	return all ? EXIT_OK : EXIT_FAILED;
}
