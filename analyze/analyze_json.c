/* JSON output, schema "ptpcal-analyze/1" (the contract in docs/analyze-json.md). Every
 * quantity in ns unless the name says otherwise; NAN becomes null. */
#include <math.h>
#include <string.h>

#include "analyze/analyze_json.h"
#include "analyze/ptp4l_estimator_conf.h"
#include "common/json.h"

static void dist_json(struct json *j, const char *key, const struct dist *d)
{
	json_obj_begin(j, key);
	json_int(j, "n", (int64_t)d->n);
	json_num(j, "mean", d->mean);
	json_num(j, "median", d->median);
	json_num(j, "std", d->std);
	json_num(j, "mad", d->mad);
	json_num(j, "min", d->min);
	json_num(j, "max", d->max);
	for (int i = 0; i < DIST_NPCT; i++)
		json_num(j, dist_pct_name[i], d->pct[i]);
	json_obj_end(j);
}

static void roll_json(struct json *j, const char *key, const struct rolling_summary *r)
{
	json_obj_begin(j, key);
	json_int(j, "windows", (int64_t)r->windows);
	json_num(j, "mean_min", r->mean_min);
	json_num(j, "mean_max", r->mean_max);
	json_num(j, "std_max", r->std_max);
	json_obj_end(j);
}

/* The mean of a bias estimate with its interval: the fields every bias object starts with
 * (docs/analyze-json.md). */
static void json_bias_mean(struct json *j, const struct bias_estimate *b)
{
	json_int(j, "n", (int64_t)b->n);
	json_num(j, "mean_ns", b->mean);
	json_num(j, "ci_lo_ns", b->ci_lo);
	json_num(j, "ci_hi_ns", b->ci_hi);
	json_num(j, "std_ns", b->std);
	json_num(j, "n_eff", b->n_eff);
	json_str(j, "method", b->method);
}

void analyze_write_json(FILE *f, const struct analysis *an)
{
	struct json j;
	json_init(&j, f, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "schema", "ptpcal-analyze/1");
	json_arr_begin(&j, "inputs");
	for (int i = 0; i < an->opts->ninputs; i++)
		json_str(&j, NULL, an->opts->inputs[i]);
	json_arr_end(&j);
	json_int(&j, "samples", (int64_t)an->samples);
	json_num(&j, "duration_s", an->duration_s);
	json_int(&j, "start_ns", an->start_ns);
	dist_json(&j, "offset", &an->offset);
	dist_json(&j, "delay", &an->delay);

	json_obj_begin(&j, "settling");
	json_int(&j, "excluded_samples", (int64_t)an->settling.excluded);
	json_num(&j, "excluded_s", an->settling.excluded_s);
	json_str(&j, "method", an->settling.method);
	json_obj_end(&j);

	if (an->have_lucky) {
		json_obj_begin(&j, "lucky");
		json_int(&j, "kept", (int64_t)an->lucky.kept);
		json_num(&j, "fraction", an->lucky.fraction);
		json_num(&j, "offset_mean_before", an->lucky.mean_before);
		json_num(&j, "offset_mean_after", an->lucky.mean_after);
		/* added beside the contract's fields */
		json_num(&j, "percent", an->lucky.pct);
		json_int(&j, "block", (int64_t)an->lucky.block);
		json_str(&j, "of", an->have_truth ? "offset - truth" : "offset");
		json_obj_end(&j);
	} else {
		json_null(&j, "lucky");
	}

	if (an->have_bias) {
		const struct bias_estimate *b = &an->bias;
		json_obj_begin(&j, "bias");
		json_bias_mean(&j, b);
		json_num(&j, "drift_ns_per_h", b->drift_per_h);
		json_num(&j, "drift_ci_lo", b->drift_ci_lo);
		json_num(&j, "drift_ci_hi", b->drift_ci_hi);
		json_bool(&j, "drift_significant", b->drift_significant);
		json_bool(&j, "halves_agree", b->halves_agree);
		json_bool(&j, "short_run", b->short_run);
		json_str(&j, "reference", an->reference);
		/* added beside the contract's fields */
		json_num(&j, "tau_int", b->tau_int);
		json_arr_begin(&j, "half_mean_ns");
		json_num(&j, NULL, b->half_mean[0]);
		json_num(&j, NULL, b->half_mean[1]);
		json_arr_end(&j);
		json_obj_end(&j);
	} else {
		json_null(&j, "bias");
	}
	if (an->have_p4) {
		const struct ptp4l_estimator_cfg *c = &an->opts->ptp4l_est;
		json_obj_begin(&j, "ptp4l_estimator");
		ptp4l_estimator_cfg_json(&j, c);
		json_int(&j, "syncs", (int64_t)an->p4_syncs);
		json_int(&j, "used", (int64_t)an->p4_used);
		json_num(&j, "offset_mean_ns", an->p4_offset_mean);
		json_num(&j, "minus_mean_offset_ns", an->p4_minus_mean);
		if (an->have_p4_bias) {
			const struct bias_estimate *b = &an->p4_bias;
			json_obj_begin(&j, "bias");
			json_bias_mean(&j, b);
			json_bool(&j, "short_run", b->short_run);
			json_num(&j, "minus_mean_bias_ns",
				 an->have_bias ? b->mean - an->bias.mean : NAN);
			json_obj_end(&j);
		} else {
			json_null(&j, "bias");
		}
		json_obj_end(&j);
	} else {
		json_null(&j, "ptp4l_estimator");
	}
	if (an->have_asym) {
		json_obj_begin(&j, "asymmetry");
		json_num(&j, "mean_ns", an->asym.mean);
		json_num(&j, "ci_lo_ns", an->asym.ci_lo);
		json_num(&j, "ci_hi_ns", an->asym.ci_hi);
		json_str(&j, "note", "per exchange A = (t2 - t1) - (t4 - t3) - 2 theta_true = "
				     "master->slave minus slave->master delay");
		json_obj_end(&j);
	} else {
		json_null(&j, "asymmetry");
	}
	json_arr_begin(&j, "stability");
	for (size_t i = 0; i < an->stab.npts; i++) {
		const struct stab_point *p = &an->stab.pts[i];
		json_obj_begin(&j, NULL);
		json_num(&j, "tau", p->tau);
		json_int(&j, "n", p->n);
		json_num(&j, "adev", p->adev);
		json_num(&j, "oadev", p->oadev);
		json_num(&j, "mdev", p->mdev);
		json_num(&j, "tdev", p->tdev);
		json_num(&j, "hdev", p->hdev);
		json_num(&j, "ohdev", p->ohdev);
		json_num(&j, "totdev", p->totdev);
		json_num(&j, "mtie", p->mtie);
		json_num(&j, "tie_rms", p->tie_rms);
		json_num(&j, "oadev_lo", p->oadev_lo);
		json_num(&j, "oadev_hi", p->oadev_hi);
		if (p->alpha == 99)
			json_null(&j, "alpha");
		else
			json_int(&j, "alpha", p->alpha);
		/* added beside the contract's fields */
		json_int(&j, "m", p->m);
		json_num(&j, "edf", p->edf);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (an->stab.have_te) {
		const struct te_report *t = &an->stab.te;
		json_obj_begin(&j, "time_error");
		json_num(&j, "max_abs_te", t->max_abs_te);
		json_num(&j, "cte", t->cte);
		json_num(&j, "dte_l_pp", t->dte_l_pp);
		json_num(&j, "dte_h_pp", t->dte_h_pp);
		json_obj_begin(&j, "classes");
		for (int c = 0; c < TE_NCLASSES; c++) {
			const struct te_class_verdict *v = &t->verdict[c];
			json_obj_begin(&j, te_class_name((enum te_class)c));
			json_bool(&j, "pass", v->pass);
			json_num(&j, "max_abs_te_limit", v->max_abs_te_limit);
			json_bool(&j, "max_abs_te_pass", v->max_abs_te_pass);
			json_num(&j, "cte_limit", v->cte_limit);
			json_bool(&j, "cte_pass", v->cte_pass);
			json_bool(&j, "dte_l_mtie_pass", v->dte_l_mtie_pass);
			json_bool(&j, "dte_l_tdev_pass", v->dte_l_tdev_pass);
			json_num(&j, "dte_h_pp_limit", v->dte_h_pp_limit);
			json_bool(&j, "dte_h_pass", v->dte_h_pass);
			/* added: what max_abs_te_limit/_pass limit ("max|TE|" or, class D,
			 * "max|TE_L|"), and the filtered limit under its own name */
			const char *lab = te_max_abs_te_label((enum te_class)c);
			bool on_tel = strcmp(lab, "max|TE_L|") == 0;
			json_str(&j, "max_abs_te_limit_on", lab);
			json_num(&j, "max_abs_te_l_limit", on_tel ? v->max_abs_te_limit : NAN);
			if (on_tel)
				json_bool(&j, "max_abs_te_l_pass", v->max_abs_te_pass);
			else
				json_null(&j, "max_abs_te_l_pass");
			json_obj_end(&j);
		}
		json_obj_end(&j);
		/* added beside the contract's fields */
		json_int(&j, "n", (int64_t)t->n);
		json_num(&j, "rate_hz", t->rate_hz);
		json_num(&j, "duration_s", t->duration_s);
		json_arr_begin(&j, "dte_l_masks");
		for (size_t i = 0; i < t->dte_l_mtie.npoints; i++) {
			json_obj_begin(&j, NULL);
			json_num(&j, "tau", t->dte_l_mtie.tau[i]);
			json_num(&j, "mtie", t->dte_l_mtie.value[i]);
			json_num(&j, "tdev", t->dte_l_tdev.value[i]);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_str(&j, "notes", t->notes);
		json_str(&j, "of", an->stab.of);
		json_num(&j, "max_abs_te_l", t->max_abs_te_l);
		json_obj_begin(&j, "network_c");
		json_str(&j, "limits", "ITU-T G.8271.1 clause 7.3.1, reference point C, deployment "
				       "case 1 (unverified transcription: docs/stability.md)");
		json_bool(&j, "pass", t->net_c.pass);
		json_num(&j, "max_abs_te_l_limit", t->net_c.max_abs_te_l_limit);
		json_bool(&j, "max_abs_te_l_pass", t->net_c.max_abs_te_l_pass);
		json_bool(&j, "dte_l_mtie_pass", t->net_c.dte_l_mtie.pass);
		json_arr_begin(&j, "dte_l_mtie");
		for (size_t i = 0; i < t->net_c.dte_l_mtie.npoints; i++) {
			json_obj_begin(&j, NULL);
			json_num(&j, "tau", t->net_c.dte_l_mtie.tau[i]);
			json_num(&j, "mtie", t->net_c.dte_l_mtie.value[i]);
			json_num(&j, "limit", t->net_c.dte_l_mtie.limit[i]);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		json_obj_end(&j);
	} else {
		json_null(&j, "time_error");
	}

	json_arr_begin(&j, "health");
	for (size_t i = 0; i < an->findings.n; i++) {
		const struct finding *fi = &an->findings.f[i];
		json_obj_begin(&j, NULL);
		json_str(&j, "severity", severity_name(fi->sev));
		json_str(&j, "code", fi->code);
		json_str(&j, "message", fi->msg);
		json_obj_end(&j);
	}
	json_arr_end(&j);

	/* Beyond the contract (consumers may ignore them): */
	json_str(&j, "input_kind", an->input_kind);
	json_obj_begin(&j, "stability_input");
	json_str(&j, "of", an->stab.of[0] ? an->stab.of : NULL);
	json_num(&j, "tau0_s", an->stab.have || an->stab.have_te ? an->stab.tau0 : NAN);
	json_int(&j, "points", (int64_t)an->stab.n);
	json_int(&j, "interpolated", (int64_t)an->stab.interpolated);
	json_str(&j, "note", an->stab.note[0] ? an->stab.note : NULL);
	json_obj_end(&j);
	json_obj_begin(&j, "one_way");
	json_num(&j, "fwd_jitter_ns", an->fwd_jitter_ns);
	json_num(&j, "rev_jitter_ns", an->rev_jitter_ns);
	json_num(&j, "fwd_std_ns", an->fwd_std_ns);
	json_num(&j, "rev_std_ns", an->rev_std_ns);
	json_obj_end(&j);
	json_arr_begin(&j, "rolling");
	for (int w = 0; w < an->nroll; w++) {
		json_obj_begin(&j, NULL);
		json_num(&j, "window_s", an->roll[w].offset.width_s);
		roll_json(&j, "offset", &an->roll[w].offset);
		roll_json(&j, "delay", &an->roll[w].delay);
		if (an->have_truth)
			roll_json(&j, "bias", &an->roll[w].bias);
		else
			json_null(&j, "bias");
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}
