/* ptpcal pmc: GET a dataset from ptp4l (or SET GRANDMASTER_SETTINGS_NP) over its UNIX socket
 * with ptpcal's own management client. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cli.h"
#include "common/commands.h"
#include "common/json.h"
#include "common/log.h"
#include "pipeline/pmc_client.h"
#include "pipeline/ptp4l_paths.h"

static const char usage[] =
	"usage: ptpcal pmc [options] GET NAME\n"
	"       ptpcal pmc [options] SET GRANDMASTER_SETTINGS_NP FIELD VALUE [FIELD VALUE]...\n"
	"\n"
	"Ask ptp4l over its management socket (like linuxptp's `pmc -u -b 0`), with ptpcal's own\n"
	"PTP management client. NAME: DEFAULT_DATA_SET, CURRENT_DATA_SET, PARENT_DATA_SET,\n"
	"TIME_PROPERTIES_DATA_SET, PORT_DATA_SET, TIME_STATUS_NP, GRANDMASTER_SETTINGS_NP.\n"
	"SET fields (those not given keep their current values, read first): clockClass,\n"
	"clockAccuracy, offsetScaledLogVariance, currentUtcOffset, leap61, leap59,\n"
	"currentUtcOffsetValid, ptpTimescale, timeTraceable, frequencyTraceable, timeSource.\n"
	"\n"
	"  -s, --uds PATH     ptp4l's uds_address (default: the one /etc/linuxptp/ptp4l.conf\n"
	"                     sets, else /var/run/ptp4l; SET needs the read-write socket, not\n"
	"                     4.x's uds_ro_address)\n"
	"  -d, --domain N     domainNumber (default 0)\n"
	"  -t, --timeout MS   wait this long for answers (default 1000)\n"
	"      --json         answers as JSON\n"
	"  -h, --help         this help\n"
	"\n"
	"Options may also follow GET NAME or a SET pair (a VALUE such as -1 is never an option).\n"
	"Exit: 0 answered, 1 no answer or an error status from ptp4l, 2 bad usage or no socket.\n";

static const char *const gm_fields[] = { "clockClass",	  "clockAccuracy",
					 "offsetScaledLogVariance", "currentUtcOffset",
					 "leap61",	  "leap59",
					 "currentUtcOffsetValid", "ptpTimescale",
					 "timeTraceable", "frequencyTraceable",
					 "timeSource",	  NULL };

static bool parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (end == s || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Apply "FIELD VALUE" pairs to s (pmc_common.c spells the same names). */
static int apply_gm_fields(struct pmc_gm_settings *s, int argc, char **argv)
{
	if (argc % 2)
		return usage_error("SET: field '%s' has no value", argv[argc - 1]);
	for (int i = 0; i < argc; i += 2) {
		const char *f = argv[i], *v = argv[i + 1];
		long x;
		int k = 0;
		while (gm_fields[k] && strcasecmp(gm_fields[k], f) != 0)
			k++;
		if (!gm_fields[k])
			return usage_error("SET: unknown field '%s'", f);
		bool flag = k >= 4 && k <= 9;
		long lo = flag ? 0 : (k == 3 ? -32768 : 0);
		long hi = flag ? 1 : (k == 2 ? 0xffff : k == 3 ? 32767 : 0xff);
		if (!parse_num(v, lo, hi, &x))
			return usage_error("SET: %s: '%s' is not in [%ld, %ld]", f, v, lo, hi);
		static const uint8_t bits[] = { PMC_LEAP_61,	    PMC_LEAP_59,
						PMC_UTC_OFF_VALID,  PMC_PTP_TIMESCALE,
						PMC_TIME_TRACEABLE, PMC_FREQ_TRACEABLE };
		switch (k) {
		case 0: s->quality.clock_class = (uint8_t)x; break;
		case 1: s->quality.clock_accuracy = (uint8_t)x; break;
		case 2: s->quality.variance = (uint16_t)x; break;
		case 3: s->utc_offset = (int16_t)x; break;
		case 10: s->time_source = (uint8_t)x; break;
		default:
			if (x)
				s->time_flags |= bits[k - 4];
			else
				s->time_flags &= (uint8_t)~bits[k - 4];
		}
	}
	return EXIT_OK;
}

static void print_field_text(const struct pmc_field *f)
{
	switch (f->kind) {
	case PMC_F_INT: printf("\t%-38s %lld\n", f->name, (long long)f->i); break;
	case PMC_F_HEX: printf("\t%-38s 0x%0*llx\n", f->name, f->hex_digits, (unsigned long long)f->i); break;
	case PMC_F_STR: printf("\t%-38s %s\n", f->name, f->s); break;
	case PMC_F_BOOL: printf("\t%-38s %d\n", f->name, (int)f->i); break;
	case PMC_F_REAL: printf("\t%-38s %.9g\n", f->name, f->d); break;
	}
}

static void print_field_json(struct json *j, const struct pmc_field *f)
{
	char buf[32];
	switch (f->kind) {
	case PMC_F_INT: json_int(j, f->name, f->i); break;
	case PMC_F_HEX:
		snprintf(buf, sizeof(buf), "0x%0*llx", f->hex_digits, (unsigned long long)f->i);
		json_str(j, f->name, buf);
		break;
	case PMC_F_STR: json_str(j, f->name, f->s); break;
	case PMC_F_BOOL: json_bool(j, f->name, f->i != 0); break;
	case PMC_F_REAL: json_num(j, f->name, f->d); break;
	}
}

struct pmc_opts {
	const char *uds;
	long domain, timeout;
	bool json;
};

/* getopt over argv (argv[0] a program name); "+": stop at the first operand. EXIT_OK, or
 * the exit code to return (help, bad usage) with *done set. */
static int parse_pmc_opts(int argc, char **argv, struct pmc_opts *o, bool *done)
{
	static const struct option opts[] = {
		{ "uds", required_argument, NULL, 's' },
		{ "domain", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	*done = true;
	cli_reset_getopt();
	while ((c = getopt_long(argc, argv, "+s:d:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->uds = optarg; break;
		case 'd':
			if (!parse_int_arg("--domain", optarg, 0, 255, &o->domain))
				return EXIT_USAGE;
			break;
		case 't':
			if (!parse_int_arg("--timeout", optarg, 1, 60000, &o->timeout))
				return EXIT_USAGE;
			break;
		case 'j': o->json = true; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: return cli_bad_option(argc, argv);
		}
	}
	*done = false;
	return EXIT_OK;
}

/* Options may also follow GET NAME / SET NAME (getopt permutation would do that, but it
 * would take SET's negative values, "currentUtcOffset -1", for options): in the tail after
 * NAME a word starting with '-' where a FIELD (or GET's nothing) is expected is an option,
 * with the next word as its argument for -s/-d/-t/--uds/--domain/--timeout; a VALUE is never
 * an option; "--" ends the options. The options go to opt (after opt[0]), the operands stay
 * in tail, in order; the counts are returned through nopt and *ntail. */
static int split_tail(char **tail, int *ntail, char **opt, int nopt)
{
	int k = 0, field = 0;
	bool ended = false;
	for (int i = 0; i < *ntail; i++) {
		const char *w = tail[i];
		if (!ended && strcmp(w, "--") == 0) {
			ended = true;
			continue;
		}
		if (!ended && field % 2 == 0 && w[0] == '-' && w[1]) {
			opt[nopt++] = tail[i];
			bool takes = strcmp(w, "-s") == 0 || strcmp(w, "-d") == 0 ||
				     strcmp(w, "-t") == 0 || strcmp(w, "--uds") == 0 ||
				     strcmp(w, "--domain") == 0 || strcmp(w, "--timeout") == 0;
			if (takes && i + 1 < *ntail)
				opt[nopt++] = tail[++i];
			continue;
		}
		tail[k++] = tail[i];
		field++;
	}
	*ntail = k;
	return nopt;
}

int cmd_pmc(int argc, char **argv)
{
	struct pmc_opts o = { NULL, 0, 1000, false };
	bool done;
	/* SET values may look like options ("-1"): the first pass stops at the first operand */
	int prc = parse_pmc_opts(argc, argv, &o, &done);
	if (done)
		return prc;
	if (argc - optind > 2) {
		int first = optind + 2, ntail = argc - first;
		char **opt = calloc((size_t)ntail + 2, sizeof(*opt));
		if (!opt)
			return EXIT_INTERNAL;
		opt[0] = argv[0];
		int nopt = split_tail(argv + first, &ntail, opt, 1);
		int oi = optind;
		if (nopt > 1) {
			prc = parse_pmc_opts(nopt, opt, &o, &done);
			if (!done && optind < nopt)
				prc = usage_error("'%s' is not an option value here", opt[optind]);
			if (done || optind < nopt) {
				free(opt);
				return prc;
			}
		}
		free(opt);
		optind = oi;
		argc = first + ntail;
	}
	const char *uds = o.uds;
	long domain = o.domain, timeout = o.timeout;
	bool json = o.json;
	if (argc - optind < 2)
		return usage_error("say GET NAME or SET GRANDMASTER_SETTINGS_NP ...");
	const char *action = argv[optind];
	bool set = strcasecmp(action, "SET") == 0;
	if (!set && strcasecmp(action, "GET") != 0)
		return usage_error("'%s': only GET and SET are supported", action);
	int id = pmc_id_by_name(argv[optind + 1]);
	if (id < 0)
		return usage_error("'%s' is not a dataset ptpcal knows", argv[optind + 1]);
	if (set && id != PMC_ID_GRANDMASTER_SETTINGS_NP)
		return usage_error("SET: only GRANDMASTER_SETTINGS_NP");
	if (!set && argc - optind > 2)
		return usage_error("unexpected argument '%s'", argv[optind + 2]);

	char udsbuf[1024];
	if (!uds) {
		ptp4l_uds_path("eth0", udsbuf, sizeof(udsbuf));
		uds = udsbuf;
	}
	struct pmc_uds u;
	char err[512];
	if (pmc_uds_open(&u, uds, (uint8_t)domain, err, sizeof(err)) != 0) {
		log_err("%s", err);
		return EXIT_USAGE;
	}
	struct pmc_answer ans[16];
	int n;
	int rc = EXIT_OK;
	if (set) {
		struct pmc_gm_settings s;
		enum pmc_result r = pmc_get_gm(&u, &s, (int)timeout, err, sizeof(err));
		if (r == PMC_OK) {
			int urc = apply_gm_fields(&s, argc - optind - 2, argv + optind + 2);
			if (urc != EXIT_OK) {
				pmc_uds_close(&u);
				return urc;
			}
			uint8_t data[8];
			size_t dl = pmc_put_gm_settings(&s, data, sizeof(data));
			n = pmc_uds_query(&u, PMC_SET, (uint16_t)id, data, dl, ans, 16, (int)timeout, err,
					  sizeof(err));
		} else {
			n = r == PMC_NO_ANSWER ? 0 : -1;
			if (r == PMC_ERROR_STATUS || r == PMC_BAD_DATA) {
				log_err("%s", err);
				pmc_uds_close(&u);
				return EXIT_FAILED;
			}
		}
	} else {
		n = pmc_uds_query(&u, PMC_GET, (uint16_t)id, NULL, 0, ans, 16, (int)timeout, err,
				  sizeof(err));
	}
	pmc_uds_close(&u);
	if (n < 0) {
		log_err("%s", err);
		return EXIT_FAILED;
	}
	if (n == 0) {
		log_err("%s: no answer to %s %s within %ld ms (ptp4l not running, or another "
			"domainNumber?)",
			uds, set ? "SET" : "GET", pmc_id_name(id), timeout);
		rc = EXIT_FAILED;
	}
	struct json j;
	if (json) {
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-pmc/1");
		json_str(&j, "uds", uds);
		json_str(&j, "action", set ? "SET" : "GET");
		json_str(&j, "id", pmc_id_name(id));
		json_arr_begin(&j, "answers");
	}
	for (int i = 0; i < n; i++) {
		const struct pmc_response *r = &ans[i].r;
		char pb[PTP_PORT_ID_STRLEN];
		ptp_port_id_str(&r->source, pb);
		struct pmc_field f[24];
		int nf = r->error ? 0 : pmc_fields(r->id, r->data, r->data_len, f, 24);
		if (r->error) {
			log_err("%s: %s %s answered %s", pb, set ? "SET" : "GET", pmc_id_name(id),
				pmc_error_name(r->error_id));
			rc = EXIT_FAILED;
		} else if (nf < 0) {
			log_err("%s: %s answer too short (%zu bytes)", pb, pmc_id_name(id), r->data_len);
			rc = EXIT_FAILED;
		}
		if (json) {
			json_obj_begin(&j, NULL);
			json_str(&j, "port", pb);
			json_str(&j, "action", r->action == PMC_ACKNOWLEDGE ? "ACKNOWLEDGE" : "RESPONSE");
			json_str(&j, "error", r->error ? pmc_error_name(r->error_id) : NULL);
			json_obj_begin(&j, "fields");
			for (int k = 0; k < nf; k++)
				print_field_json(&j, &f[k]);
			json_obj_end(&j);
			json_obj_end(&j);
		} else if (!r->error && nf >= 0) {
			printf("%s %s %s\n", pb, r->action == PMC_ACKNOWLEDGE ? "ACKNOWLEDGE" : "RESPONSE",
			       pmc_id_name(id));
			for (int k = 0; k < nf; k++)
				print_field_text(&f[k]);
		}
	}
	if (json) {
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	}
	return rc;
}
