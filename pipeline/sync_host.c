/* ptpcal sync --server | --client on a real host (pipeline/sync_host.h).
 *
 * Order (the guide's chain, docs/pipeline.md):
 *   server: gpsd -> ntpsec (wait: a system peer) -> coalescence -> ptp4l@IF (wait: portState
 *           MASTER) -> phc2sys@IF (CLOCK_REALTIME -> PHC; wait: active)
 *   client: coalescence -> ptp4l@IF (wait: portState SLAVE) -> ntpsec (it must create the SHM
 *           segment before phc2sys does, docs/errata.md 14) -> phc2sys@IF (wait: SHM samples
 *           ticking) -> wait: ntpsec's system peer is the SHM refclock
 * Without --apply nothing is run: the plan (the commands and what is waited for) is printed. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/conf_edit.h"
#include "common/json.h"
#include "common/json_read.h"
#include "common/log.h"
#include "pipeline/fsroot.h"
#include "pipeline/linuxptp_version.h"
#include "pipeline/ptp4l_paths.h"
#include "pipeline/run_cmd.h"
#include "pipeline/sync_host.h"

extern char **environ;

enum wait_kind { W_NONE, W_PORT_STATE, W_ACTIVE, W_SHM, W_NTP_PEER };

struct step {
	char unit[256];     /* unit name or "" for a pure wait */
	const char *verb;   /* restart / start / daemon-reload */
	enum wait_kind wait;
	const char *state;  /* W_PORT_STATE: MASTER / SLAVE */
	const char *state2; /* another state that counts as up, or NULL */
	char what[1200];     /* what is waited for, for the plan */
};

/* systemd's unit search path, /etc first (systemd.unit(5)); the vendor directories of
 * Debian (/lib) and merged-/usr systems. */
static const char *const unit_dirs[] = { "/etc/systemd/system", "/run/systemd/system",
					 "/lib/systemd/system", "/usr/lib/systemd/system", NULL };

static bool unit_find(const char *root, const char *name, char *where, size_t len)
{
	for (int i = 0; unit_dirs[i]; i++) {
		char abs[512], p[1024];
		snprintf(abs, sizeof(abs), "%s/%s", unit_dirs[i], name);
		struct stat st;
		if (stat(fsroot_path(root, abs, p, sizeof(p)), &st) == 0) {
			snprintf(where, len, "%s", abs);
			return true;
		}
	}
	return false;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* this binary with args; stdout/stderr inherited; exit status or -1 */
static int run_self(char *const args[], bool stdout_to_stderr)
{
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (stdout_to_stderr) /* --json: only the summary goes to stdout */
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	int sr = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (sr != 0)
		return -1;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* run a command, its output captured; the JSON object in it parsed (from the first '{') */
static struct jr_value *run_json(const char *const argv[], int *status)
{
	char *out = NULL;
	*status = run_capture(argv, &out, 120000);
	/* stdout and stderr are merged: the object is from the first '{' to the last '}'
	 * (calibrate --apply reports what it wrote on stderr, possibly after the JSON) */
	char *brace = out ? strchr(out, '{') : NULL;
	char *end = out ? strrchr(out, '}') : NULL;
	char err[200];
	struct jr_value *v = brace && end > brace ? jr_parse(brace, (size_t)(end - brace) + 1, err,
							      sizeof(err))
						   : NULL;
	free(out);
	return v;
}

bool ntpq_peer_is_ptp_refclock(const char *peer, int unit)
{
	char name[32], num[32];
	snprintf(name, sizeof(name), "SHM(%d)", unit);
	snprintf(num, sizeof(num), "127.127.28.%d ", unit); /* the space: .2 is not .20 */
	return strncmp(peer, name, strlen(name)) == 0 || strncmp(peer, num, strlen(num)) == 0 ||
	       strstr(peer, ".PTP.") != NULL;
}

bool ntpq_system_peer(const char *text, int unit, double *off_ms, char *line, size_t len)
{
	snprintf(line, len, "no system peer yet");
	*off_ms = NAN;
	bool up = false;
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (l[0] == '*') {
			char buf[512];
			snprintf(buf, sizeof(buf), "%.*s", (int)(n < 511 ? n : 511), l + 1);
			/* ntpq -pn: remote refid st t when poll reach delay offset jitter (ntpsec
			 * pylib/util.py PeerSummary; delay, offset, jitter in ms) */
			char remote[64], refid[64], t[8], when[16], poll[16], reach[16];
			int stratum;
			double delay, off, jit;
			bool ours = unit < 0 || ntpq_peer_is_ptp_refclock(buf, unit);
			snprintf(line, len, "system peer %s%s", buf,
				 ours ? "" : " (not the PTP refclock)");
			*off_ms = sscanf(buf, "%63s %63s %d %7s %15s %15s %15s %lf %lf %lf", remote, refid,
					 &stratum, t, when, poll, reach, &delay, &off, &jit) == 10
					  ? off
					  : NAN;
			up = ours;
		}
		l += n + (nl ? 1 : 0);
	}
	return up;
}

/* One look at a stage; true when it is up. state receives what was seen. */
static bool stage_up(const struct sync_host_opts *o, const struct step *s, const char *uds,
		     char *seen, size_t len)
{
	char unit[16];
	snprintf(unit, sizeof(unit), "%d", o->shm_unit);
	switch (s->wait) {
	case W_NONE: return true;
	case W_PORT_STATE: {
		/* PORT_DATA_SET over ptp4l's management socket (ptpcal pmc: pmc -u -b 0) */
		const char *argv[] = { "/proc/self/exe", "pmc", "-s", uds, "-t", "1000", "--json",
				       "GET", "PORT_DATA_SET", NULL };
		int st;
		struct jr_value *v = run_json(argv, &st);
		const char *ps = v ? jr_str(jr_get(jr_get(jr_at(jr_get(v, "answers"), 0), "fields"),
						  "portState"))
				   : NULL;
		snprintf(seen, len, "portState %s", ps ? ps : "(no answer)");
		bool up = ps && (strcmp(ps, s->state) == 0 || (s->state2 && strcmp(ps, s->state2) == 0));
		jr_free(v);
		return up;
	}
	case W_ACTIVE: {
		const char *argv[] = { "systemctl", "is-active", s->unit, NULL };
		char *out = NULL;
		int st = run_capture(argv, &out, 10000);
		char *nl = out ? strchr(out, '\n') : NULL;
		if (nl)
			*nl = '\0';
		snprintf(seen, len, "%s", out && *out ? out : "(no answer)");
		free(out);
		return st == 0;
	}
	case W_SHM: {
		/* verify's shm check: two looks 2.5 s apart at the segment (never consuming) */
		const char *argv[] = { "/proc/self/exe", "verify", "client", "-i", o->iface,
				       "--shm-unit", unit, "--json", NULL };
		int st;
		struct jr_value *v = run_json(argv, &st);
		bool up = false;
		snprintf(seen, len, "(no answer)");
		const struct jr_value *cs = v ? jr_get(v, "checks") : NULL;
		for (size_t i = 0; i < jr_len(cs); i++) {
			const struct jr_value *c = jr_at(cs, i);
			const char *id = jr_str(jr_get(c, "id"));
			if (id && strcmp(id, "shm") == 0) {
				const char *status = jr_str(jr_get(c, "status"));
				const char *d = jr_str(jr_get(c, "detail"));
				snprintf(seen, len, "%s %s", status ? status : "?", d ? d : "");
				up = status && strcmp(status, "PASS") == 0;
			}
		}
		jr_free(v);
		return up;
	}
	case W_NTP_PEER: {
		/* ntpq -pn: the system peer's line starts with '*' (ntpq(1) tally codes) */
		const char *argv[] = { "ntpq", "-pn", NULL };
		char *out = NULL;
		int st = run_capture(argv, &out, 10000);
		double off;
		bool up = out && ntpq_system_peer(out, o->server ? -1 : o->shm_unit, &off, seen, len);
		if (st < 0)
			snprintf(seen, len, "ntpq did not run");
		free(out);
		return up;
	}
	}
	return false;
}

static bool stage_wait(const struct sync_host_opts *o, const struct step *s, const char *uds,
		       FILE *prog)
{
	double t0 = now_s(), last = -100, limit = (double)o->stage_timeout_ns / 1e9;
	char seen[300] = "", prev[300] = "";
	for (;;) {
		bool up = stage_up(o, s, uds, seen, sizeof(seen));
		double el = now_s() - t0;
		if (up) {
			fprintf(prog, "    up after %.0f s: %s\n", el, seen);
			fflush(prog);
			return true;
		}
		if (strcmp(seen, prev) != 0 || el - last >= 10) {
			fprintf(prog, "    waiting %3.0f s / %.0f s: %s\n", el, limit, seen);
			fflush(prog);
			snprintf(prev, sizeof(prev), "%s", seen);
			last = el;
		}
		if (el >= limit) {
			log_err("%s: not up after %.0f s (%s): see `journalctl -u %s` and `ptpcal "
				"doctor`",
				s->unit[0] ? s->unit : s->what, limit, seen,
				s->unit[0] ? s->unit : "ntpsec");
			return false;
		}
		sleep(1);
	}
}

/* capture -> analyze on the client's interface; mean offset and max |TE| (NAN if none) */
static bool measure(const struct sync_host_opts *o, const char *sub, double *mean, double *te,
		    char *exfile, size_t exlen)
{
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s/%s", o->dir, sub);
	char *cap[] = { "ptpcal", "capture", "-i", (char *)o->iface, "-o", dir, "--duration",
			(char *)o->duration, "-q", NULL };
	int rc = run_self(cap, o->json);
	if (rc != 0) {
		log_err("%s: capture failed (exit %d)", dir, rc);
		return false;
	}
	snprintf(exfile, exlen, "%s/exchanges.tsv", dir);
	const char *an[] = { "/proc/self/exe", "analyze", exfile, "--json", "-q", NULL };
	int st;
	struct jr_value *v = run_json(an, &st);
	if (!v) {
		log_err("%s: analyze gave no JSON (exit %d)", exfile, st);
		return false;
	}
	*mean = jr_num(jr_get(jr_get(v, "offset"), "mean"));
	*te = jr_num(jr_get(jr_get(v, "time_error"), "max_abs_te"));
	jr_free(v);
	return isfinite(*mean);
}

/* calibrate EXFILE with the reference; apply: --apply on the live configuration.
 * Returns 0 emitted, 1 refused, 2+ error; prints the verdict. */
static int calibrate(const struct sync_host_opts *o, const char *exfile, bool apply,
		     const char *ptp4l_conf, FILE *prog)
{
	const char *argv[32];
	int n = 0;
	argv[n++] = "/proc/self/exe";
	argv[n++] = "calibrate";
	argv[n++] = exfile;
	if (o->truth) {
		argv[n++] = "--truth";
		argv[n++] = o->truth;
	}
	if (o->known_offset) {
		argv[n++] = "--known-offset";
		argv[n++] = o->known_offset;
	}
	if (o->baseline) {
		argv[n++] = "--baseline";
		argv[n++] = o->baseline;
	}
	argv[n++] = "--layer";
	argv[n++] = o->layer;
	char unit[16];
	snprintf(unit, sizeof(unit), "%d", o->shm_unit);
	argv[n++] = "-u";
	argv[n++] = unit;
	if (o->force)
		argv[n++] = "--force";
	if (apply) {
		argv[n++] = "--apply";
		if (strcmp(o->layer, "refclock") == 0) {
			argv[n++] = "--ntp-conf";
			argv[n++] = "/etc/ntpsec/ntp.conf";
		} else {
			argv[n++] = "--ptp4l-conf";
			argv[n++] = ptp4l_conf;
		}
		if (o->root) {
			argv[n++] = "--root";
			argv[n++] = o->root;
		}
	}
	argv[n++] = "--json";
	argv[n] = NULL;
	int st;
	struct jr_value *v = run_json(argv, &st);
	if (!v) {
		log_err("%s: calibrate gave no JSON (exit %d)", exfile, st);
		return 3;
	}
	bool known = false;
	bool refused = jr_bool(jr_get(v, "refused"), &known);
	if (refused) {
		const char *r = jr_str(jr_get(v, "reason"));
		fprintf(prog, "  calibrate refused: %s\n", r ? r : "(no reason given)");
	} else {
		fprintf(prog, "  bias %+.0f ns (95 %% %+.0f .. %+.0f) against %s\n",
			jr_num(jr_get(v, "bias_ns")), jr_num(jr_get(v, "ci_lo_ns")),
			jr_num(jr_get(v, "ci_hi_ns")),
			jr_str(jr_get(v, "reference")) ? jr_str(jr_get(v, "reference")) : "?");
		const struct jr_value *emit = jr_get(v, "emit");
		for (size_t i = 0; i < jr_len(emit); i++) {
			const struct jr_value *e = jr_at(emit, i);
			const struct jr_value *lines = jr_get(e, "lines");
			for (size_t k = 0; k < jr_len(lines); k++)
				fprintf(prog, "    %-7s %s\n", jr_str(jr_get(e, "target")),
					jr_str(jr_at(lines, k)));
		}
	}
	fflush(prog);
	jr_free(v);
	return refused ? 1 : st;
}

int sync_host(const struct sync_host_opts *o)
{
	const char *role = o->server ? "server" : "client";
	FILE *prog = o->json ? stderr : stdout;
	char problems[8][1400];
	int np = 0;

	/* the installed linuxptp */
	struct lptp_version v;
	char vbuf[32] = "unknown", why[300] = "";
	bool have_v = o->linuxptp ? lptp_version_parse(o->linuxptp, &v)
				  : lptp_version_detect(NULL, &v, why, sizeof(why));
	if (o->linuxptp && !have_v) {
		log_err("--linuxptp-version: '%s' is not a version like 3.1.1 or 4.2", o->linuxptp);
		return EXIT_USAGE;
	}
	if (have_v)
		lptp_version_str(&v, vbuf, sizeof(vbuf));
	else if (np < 8)
		snprintf(problems[np++], sizeof(problems[0]), "linuxptp: %s (install linuxptp)", why);

	/* the units of the installed packages (and those ptpcal setup wrote) */
	char u_ptp4l[600] = "", u_phc2sys[600] = "", u_ntp[600] = "", u_gpsd[600] = "",
	     u_coal[600] = "", u_tm[600] = "", name[200];
	bool h_ptp4l = unit_find(o->root, "ptp4l@.service", u_ptp4l, sizeof(u_ptp4l));
	bool h_phc2sys = unit_find(o->root, "phc2sys@.service", u_phc2sys, sizeof(u_phc2sys));
	bool h_ntp = unit_find(o->root, "ntpsec.service", u_ntp, sizeof(u_ntp));
	bool h_gpsd = unit_find(o->root, "gpsd.service", u_gpsd, sizeof(u_gpsd));
	snprintf(name, sizeof(name), "%s-coalescence.service", o->iface);
	bool h_coal = unit_find(o->root, name, u_coal, sizeof(u_coal));
	bool h_tm = unit_find(o->root, "timemaster.service", u_tm, sizeof(u_tm));
	if (!h_ptp4l)
		snprintf(problems[np++], sizeof(problems[0]),
			 "ptp4l@.service: not installed (Debian's linuxptp ships it in "
			 "/lib/systemd/system)");
	if (!h_phc2sys)
		snprintf(problems[np++], sizeof(problems[0]),
			 "phc2sys@.service: not installed (Debian's linuxptp ships it; ptpcal setup "
			 "%s writes the full override)", role);
	if (!h_ntp)
		snprintf(problems[np++], sizeof(problems[0]),
			 "ntpsec.service: not installed (apt install ntpsec)");

	/* ptp4l.conf as the ptp4l@ unit reads it: spelled for this linuxptp? */
	char confabs[512], confp[1024];
	ptp4l_conf_path(o->root, o->iface, confabs, sizeof(confabs));
	fsroot_path(o->root, confabs, confp, sizeof(confp));
	struct conf_file cf;
	bool free_running = false;
	if (!conf_load(&cf, confp, true)) {
		snprintf(problems[np++], sizeof(problems[0]), "%s: cannot be read", confp);
	} else {
		if (have_v && !o->server) {
			/* linuxptp config.c: 3.x knows only slaveOnly; 4.x clientOnly (slaveOnly is a
			 * deprecated alias there) -- pipeline/linuxptp_version.c */
			const char *want = lptp_client_only_option(&v);
			const char *other = lptp_client_only_other(&v);
			const char *w = conf_ptp4l_get(&cf, "global", want);
			if (conf_ptp4l_get(&cf, "global", other))
				snprintf(problems[np++], sizeof(problems[0]),
					 "%s: '%s' is not what linuxptp %s expects ('%s'): run "
					 "ptpcal setup client",
					 confabs, other, vbuf, want);
			else if (!w || strcmp(w, "1") != 0)
				snprintf(problems[np++], sizeof(problems[0]),
					 "%s: no '%s 1': this client could become a master (run "
					 "ptpcal setup client)",
					 confabs, want);
		}
		const char *fr = conf_ptp4l_get(&cf, "global", "free_running");
		free_running = fr && strcmp(fr, "1") == 0;
		conf_free(&cf);
	}
	char uds[512];
	if (o->uds)
		snprintf(uds, sizeof(uds), "%s", o->uds);
	else
		ptp4l_uds_path(o->iface, uds, sizeof(uds));

	/* the steps */
	struct step steps[8];
	int ns = 0;
	memset(steps, 0, sizeof(steps));
	steps[ns].verb = "daemon-reload";
	snprintf(steps[ns++].what, sizeof(steps[0].what), "-");
#define ADD(verb_, wait_, state_, ...)                                                          \
	do {                                                                                    \
		steps[ns].verb = (verb_);                                                       \
		steps[ns].wait = (wait_);                                                       \
		steps[ns].state = (state_);                                                     \
		snprintf(steps[ns].unit, sizeof(steps[0].unit), __VA_ARGS__);                   \
		ns++;                                                                           \
	} while (0)
	if (o->server) {
		if (h_gpsd)
			ADD("restart", W_NONE, NULL, "gpsd.service");
		ADD("restart", W_NTP_PEER, NULL, "ntpsec.service");
		snprintf(steps[ns - 1].what, sizeof(steps[0].what),
			 "ntpq -pn shows a system peer ('*')");
		if (h_coal)
			ADD("start", W_NONE, NULL, "%s", name);
		ADD("restart", W_PORT_STATE, "MASTER", "ptp4l@%s.service", o->iface);
		snprintf(steps[ns - 1].what, sizeof(steps[0].what),
			 "PORT_DATA_SET portState MASTER on %s", uds);
		ADD("restart", W_ACTIVE, NULL, "phc2sys@%s.service", o->iface);
		snprintf(steps[ns - 1].what, sizeof(steps[0].what),
			 "systemctl is-active (CLOCK_REALTIME -> PHC of %s)", o->iface);
	} else {
		if (h_coal)
			ADD("start", W_NONE, NULL, "%s", name);
		ADD("restart", W_PORT_STATE, "SLAVE", "ptp4l@%s.service", o->iface);
		snprintf(steps[ns - 1].what, sizeof(steps[0].what),
			 "PORT_DATA_SET portState SLAVE on %s%s", uds,
			 free_running ? " (or UNCALIBRATED: free_running 1)" : "");
		/* linuxptp clock.c v3.1.1 clock_no_adjust(): with free_running the servo state
		 * is SERVO_UNLOCKED unless local_sync_uncertain is FALSE, so port.c never moves
		 * the port from UNCALIBRATED to SLAVE: UNCALIBRATED is as far as it gets */
		if (free_running)
			steps[ns - 1].state2 = "UNCALIBRATED";
		/* ntpsec first: it creates SHM unit >= 2 world-readable; phc2sys first would
		 * create it 0600 root-only (docs/errata.md 14) */
		ADD("restart", W_NONE, NULL, "ntpsec.service");
		ADD("restart", W_SHM, NULL, "phc2sys@%s.service", o->iface);
		snprintf(steps[ns - 1].what, sizeof(steps[0].what),
			 "SHM unit %d ticking (ptpcal verify's shm check)", o->shm_unit);
		steps[ns].wait = W_NTP_PEER;
		snprintf(steps[ns].what, sizeof(steps[0].what),
			 "ntpq -pn: system peer SHM(%d) / .PTP.", o->shm_unit);
		ns++;
	}
#undef ADD
	for (int i = 0; i < ns; i++)
		if (steps[i].unit[0] && !steps[i].what[0])
			snprintf(steps[i].what, sizeof(steps[0].what), "-");

	/* the plan */
	if (o->json && !o->apply) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-sync-plan/1");
		json_str(&j, "mode", role);
		json_str(&j, "iface", o->iface);
		json_str(&j, "root", o->root ? o->root : "/");
		json_str(&j, "linuxptp_version", have_v ? vbuf : NULL);
		json_obj_begin(&j, "units");
		json_str(&j, "ptp4l@.service", h_ptp4l ? u_ptp4l : NULL);
		json_str(&j, "phc2sys@.service", h_phc2sys ? u_phc2sys : NULL);
		json_str(&j, "ntpsec.service", h_ntp ? u_ntp : NULL);
		json_str(&j, "gpsd.service", h_gpsd ? u_gpsd : NULL);
		json_str(&j, name, h_coal ? u_coal : NULL);
		json_str(&j, "timemaster.service", h_tm ? u_tm : NULL);
		json_obj_end(&j);
		json_str(&j, "ptp4l_conf", confabs);
		json_str(&j, "uds", uds);
		json_arr_begin(&j, "steps");
		for (int i = 0; i < ns; i++) {
			char cmd[400] = "";
			if (steps[i].verb)
				snprintf(cmd, sizeof(cmd), "systemctl %s%s%.255s", steps[i].verb,
					 steps[i].unit[0] ? " " : "", steps[i].unit);
			json_obj_begin(&j, NULL);
			json_str(&j, "command", cmd[0] ? cmd : NULL);
			json_str(&j, "wait", steps[i].wait ? steps[i].what : NULL);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_arr_begin(&j, "problems");
		for (int i = 0; i < np; i++)
			json_str(&j, NULL, problems[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		json_finish(&j);
		return EXIT_OK;
	}
	fprintf(prog, "sync --%s on %s (linuxptp %s%s; units from %s)\n", role, o->iface, vbuf,
		o->linuxptp ? ", as given" : "", o->root ? o->root : "/");
	fprintf(prog, "  ptp4l@.service    %s\n  phc2sys@.service  %s\n  ntpsec.service    %s\n",
		h_ptp4l ? u_ptp4l : "NOT INSTALLED", h_phc2sys ? u_phc2sys : "NOT INSTALLED",
		h_ntp ? u_ntp : "NOT INSTALLED");
	if (o->server)
		fprintf(prog, "  gpsd.service      %s\n", h_gpsd ? u_gpsd : "not installed (skipped)");
	fprintf(prog, "  %s %s\n", name, h_coal ? u_coal : "not installed (ptpcal setup writes it)");
	if (h_tm)
		fprintf(prog, "  timemaster.service %s: keep it disabled, it runs its own ptp4l and "
			      "phc2sys (ptpcal doctor)\n", u_tm);
	fprintf(prog, "  ptp4l.conf        %s, management socket %s\n", confabs, uds);
	fprintf(prog, "plan (%s):\n", o->apply ? "running it" : "not run without --apply");
	for (int i = 0; i < ns; i++) {
		if (steps[i].verb)
			fprintf(prog, "  %d. systemctl %s%s%s\n", i + 1, steps[i].verb,
				steps[i].unit[0] ? " " : "", steps[i].unit);
		else
			fprintf(prog, "  %d. (no command)\n", i + 1);
		if (steps[i].wait)
			fprintf(prog, "       wait until %s (timeout %.0f s)\n", steps[i].what,
				(double)o->stage_timeout_ns / 1e9);
	}
	if (o->server)
		fprintf(prog, "  then: ptpcal verify server -i %s (capture and calibrate run on the "
			      "client: the capture is taken at the slave's port)\n", o->iface);
	else
		fprintf(prog, "  then: ptpcal capture -i %s --duration %s -> analyze -> calibrate "
			      "(%s) -> %sptpcal verify client\n", o->iface, o->duration,
			o->truth || o->known_offset || o->baseline ? "with the reference given"
								    : "refused: no reference",
			o->apply_correction ? "apply, restart, measure again -> " : "");
	for (int i = 0; i < np; i++)
		fprintf(prog, "problem: %s\n", problems[i]);
	fflush(prog);
	if (!o->apply)
		return EXIT_OK;
	if (np > 0) {
		log_err("sync --%s: not started: %d problem(s) above", role, np);
		return EXIT_FAILED;
	}

	/* bring the chain up */
	for (int i = 0; i < ns; i++) {
		if (steps[i].verb) {
			fprintf(prog, "stage %d/%d: systemctl %s%s%s\n", i + 1, ns, steps[i].verb,
				steps[i].unit[0] ? " " : "", steps[i].unit);
			fflush(prog);
			const char *argv[] = { "systemctl", steps[i].verb,
					       steps[i].unit[0] ? steps[i].unit : NULL, NULL };
			char *out = NULL;
			int rc = run_capture(argv, &out, 120000);
			if (rc != 0) {
				log_err("systemctl %s %s: %s (exit %d)%s%s", steps[i].verb,
					steps[i].unit, rc < 0 ? "did not run" : "failed", rc,
					out && *out ? ": " : "", out ? out : "");
				free(out);
				return EXIT_FAILED;
			}
			free(out);
		} else {
			fprintf(prog, "stage %d/%d: %s\n", i + 1, ns, steps[i].what);
		}
		if (steps[i].wait && !stage_wait(o, &steps[i], uds, prog))
			return EXIT_FAILED;
	}

	int rc = EXIT_OK, crc = -1;
	double m0 = NAN, te0 = NAN, m1 = NAN, te1 = NAN;
	if (!o->server) {
		if (mkdir(o->dir, 0755) != 0 && errno != EEXIST) {
			log_err("%s: cannot create it: %s", o->dir, strerror(errno));
			return EXIT_FAILED;
		}
		char ex0[1200], ex1[1200];
		fprintf(prog, "capture %s on %s\n", o->duration, o->iface);
		fflush(prog);
		if (!measure(o, "before", &m0, &te0, ex0, sizeof(ex0)))
			return EXIT_FAILED;
		fprintf(prog, "  time error before: mean offset %+.0f ns", m0);
		if (isfinite(te0))
			fprintf(prog, ", max|TE| %.0f ns", te0);
		fprintf(prog, "\n");
		fprintf(prog, "calibrate\n");
		fflush(prog);
		if (!o->truth && !o->known_offset && !o->baseline) {
			fprintf(prog, "  calibrate refused: no reference for the client's true offset "
				      "(two-way exchanges cannot show the path asymmetry): give "
				      "--truth, --known-offset or --baseline\n");
			crc = 1;
		} else {
			crc = calibrate(o, ex0, false, confabs, prog);
		}
		if (crc == 0 && o->apply_correction) {
			fprintf(prog, "apply the correction (%s layer)\n", o->layer);
			fflush(prog);
			if (calibrate(o, ex0, true, confabs, prog) != 0)
				return EXIT_FAILED;
			/* restart what reads the edited file (ptp4l@ or ntpsec), then wait again for
			 * that stage and every later one */
			const char *pre = strcmp(o->layer, "refclock") == 0 ? "ntpsec" : "ptp4l@";
			int k = 0;
			while (k < ns && strncmp(steps[k].unit, pre, strlen(pre)) != 0)
				k++;
			if (k == ns)
				return EXIT_FAILED;
			const char *argv[] = { "systemctl", "restart", steps[k].unit, NULL };
			char *out = NULL;
			fprintf(prog, "  systemctl restart %s\n", steps[k].unit);
			if (run_capture(argv, &out, 120000) != 0) {
				log_err("systemctl restart %s failed: %s", steps[k].unit, out ? out : "");
				free(out);
				return EXIT_FAILED;
			}
			free(out);
			for (int i = k; i < ns; i++)
				if (steps[i].wait && !stage_wait(o, &steps[i], uds, prog))
					return EXIT_FAILED;
			if (!measure(o, "after", &m1, &te1, ex1, sizeof(ex1)))
				return EXIT_FAILED;
			fprintf(prog, "  time error after:  mean offset %+.0f ns", m1);
			if (isfinite(te1))
				fprintf(prog, ", max|TE| %.0f ns", te1);
			fprintf(prog, " (before %+.0f ns)\n", m0);
		}
	}
	fprintf(prog, "verify %s\n", role);
	fflush(prog);
	char shm[16];
	snprintf(shm, sizeof(shm), "%d", o->shm_unit);
	char *ver[] = { "ptpcal", "verify", (char *)role, "-i", (char *)o->iface, "-s", uds,
			"--shm-unit", shm, NULL };
	int vr = run_self(ver, o->json);
	if (vr != 0)
		rc = EXIT_FAILED;
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j, NULL);
		json_str(&j, "schema", "ptpcal-sync/1");
		json_str(&j, "mode", role);
		json_str(&j, "iface", o->iface);
		json_str(&j, "linuxptp_version", vbuf);
		json_bool(&j, "stages_up", true);
		json_str(&j, "dir", o->server ? NULL : o->dir);
		json_num(&j, "mean_offset_before_ns", m0);
		json_num(&j, "max_abs_te_before_ns", te0);
		json_str(&j, "calibrate", crc < 0 ? NULL : crc == 0 ? "emitted" : crc == 1 ? "refused"
									: "failed");
		json_bool(&j, "correction_applied", isfinite(m1));
		json_num(&j, "mean_offset_after_ns", m1);
		json_num(&j, "max_abs_te_after_ns", te1);
		json_int(&j, "verify_exit", vr);
		json_obj_end(&j);
		json_finish(&j);
	}
	return rc;
}
