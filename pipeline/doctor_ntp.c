#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/conf_edit.h"
#include "common/leapfile.h"
#include "pipeline/ptp4l_conf_scan.h"
#include "pipeline/ptp4l_paths.h"
#include "pipeline/doctor.h"

/* The SHM segment phc2sys writes, from the ExecStart of the phc2sys@ unit systemd would use
 * (the full override in /etc first): -1 if it does not use -E ntpshm. phc2sys.c: -M sets
 * ntpshm_segment, default 0 (config.c). */
static bool exec_segment(const char *text, bool *have, bool *ntpshm, int *seg)
{
	char *t = strdup(text);
	if (!t)
		return false;
	char *save = NULL;
	for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "ExecStart=", 10) != 0 || !l[10])
			continue;
		char buf[4096];
		const char *tok[64];
		int n = conf_tokens(l + 10, buf, sizeof(buf), tok, 64);
		*have = true;
		*ntpshm = false;
		*seg = 0;
		for (int i = 0; i < n; i++) {
			if (strcmp(tok[i], "-E") == 0 && i + 1 < n && strcmp(tok[i + 1], "ntpshm") == 0)
				*ntpshm = true;
			if (strcmp(tok[i], "-M") == 0 && i + 1 < n)
				*seg = atoi(tok[i + 1]);
		}
	}
	free(t);
	return true;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int phc2sys_shm_segment(const struct sysview *sv, char *unit_path, size_t len)
{
	static const char *const units[] = { "/etc/systemd/system/phc2sys@.service",
					     "/usr/lib/systemd/system/phc2sys@.service",
					     "/lib/systemd/system/phc2sys@.service", NULL };
	for (int u = 0; units[u]; u++) {
		char *t = sv_read(sv, units[u]);
		if (!t)
			continue;
		snprintf(unit_path, len, "%s", units[u]);
		int seg = -1;
		bool ntpshm = false, have = false;
		exec_segment(t, &have, &ntpshm, &seg);
		/* drop-ins (systemd.unit(5): /etc, /run, then vendor .d directories; the last
		 * ExecStart= wins) */
		static const char *const dirs[] = { "/usr/lib/systemd/system/phc2sys@.service.d",
						    "/run/systemd/system/phc2sys@.service.d",
						    "/etc/systemd/system/phc2sys@.service.d", NULL };
		for (int d = 0; dirs[d]; d++) {
			DIR *dh = opendir(sv_path(sv, dirs[d]));
			if (!dh)
				continue;
			char *names[64];
			int nn = 0;
			struct dirent *de;
			while ((de = readdir(dh)) && nn < 64) {
				size_t l = strlen(de->d_name);
				if (l > 5 && strcmp(de->d_name + l - 5, ".conf") == 0)
					names[nn++] = strdup(de->d_name);
			}
			closedir(dh);
			qsort(names, (size_t)nn, sizeof(char *), name_cmp);
			for (int i = 0; i < nn; i++) {
				char p[1024];
				snprintf(p, sizeof(p), "%s/%s", dirs[d], names[i] ? names[i] : "");
				char *dt = names[i] ? sv_read(sv, p) : NULL;
				bool h2 = false;
				if (dt && exec_segment(dt, &h2, &ntpshm, &seg) && h2)
					snprintf(unit_path, len, "%s", p);
				free(dt);
				free(names[i]);
			}
		}
		free(t);
		return ntpshm ? seg : -1;
	}
	unit_path[0] = '\0';
	return -1;
}

static const char *date_str(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

/* The file itself, as ntpsec reads it (common/leapfile: ntp_leapsec.c rules, SHA-1 check). */
static void check_leapfile(const struct doctor_opts *o, struct check *c, const char *where,
			   const char *path)
{
	struct leapfile lf;
	char err[512], d1[32];
	if (!leapfile_load(sv_path(&o->sv, path), &lf, err, sizeof(err))) {
		check_fail(c, where, "reinstall tzdata (apt-get install --reinstall tzdata)",
			   "%s: ntpsec would refuse it: %s", path, err);
		return;
	}
	int64_t now = (int64_t)time(NULL);
	int tai = 0;
	leapfile_tai_utc(&lf, now, &tai);
	if (leapfile_expired(&lf, now))
		check_fail(c, where,
			   "update tzdata (Debian re-issues it after each IERS bulletin C); until then "
			   "ntpsec cannot know about a leap second",
			   "%s expired %s%s", path, lf.expires ? "on " : "(it has no expiry line)",
			   lf.expires ? date_str(lf.expires, d1, sizeof(d1)) : "");
	else if (lf.expires - now < 28 * 86400)
		check_warn(c, where, "update tzdata soon", "%s expires on %s", path,
			   date_str(lf.expires, d1, sizeof(d1)));
	else
		check_detail(c, "%s: TAI-UTC %d s, expires %s%s", path, tai,
			     date_str(lf.expires, d1, sizeof(d1)),
			     lf.hash == LEAP_HASH_GOOD ? ", hash good" : ", no hash");
	leapfile_free(&lf);
}

/* ERRATA 8: a grandmaster ptp4l announces its own utc_offset option (config.c default
 * CURRENT_UTC_OFFSET 37, v3.1.1 and v4.4), not the kernel's TAI offset; compare it with the
 * leap-seconds file and say which one is wrong. */
static void check_utc_offset(const struct doctor_opts *o, struct checks *cs, const char *leap_path)
{
	struct check *c = check_new(cs, "utc-offset", "ptp4l's utc_offset = TAI-UTC of the leap file");
	char conf[1024], where[1200], err[512];
	ptp4l_conf_path(o->sv.root, o->iface, conf, sizeof(conf));
	char *text = sv_read(&o->sv, conf);
	struct leapfile lf;
	if (!leapfile_load(sv_path(&o->sv, leap_path), &lf, err, sizeof(err))) {
		free(text);
		check_skip(c, "no usable leap-seconds file (%s)", err);
		return;
	}
	int tai = 0;
	int64_t now = (int64_t)time(NULL);
	bool have = leapfile_tai_utc(&lf, now, &tai);
	bool expired = leapfile_expired(&lf, now);
	leapfile_free(&lf);
	if (!have) {
		free(text);
		check_skip(c, "%s has no TAI-UTC for now", leap_path);
		return;
	}
	int offset = 37, line = 0;
	if (text) {
		struct ptp4l_scan s;
		ptp4l_scan_text(text, &s);
		const struct ptp4l_line *l = ptp4l_scan_get(&s, "global", "utc_offset");
		if (l) {
			offset = atoi(l->value);
			line = l->line;
		}
		ptp4l_scan_free(&s);
		free(text);
	}
	snprintf(where, sizeof(where), "%s:%d", conf, line);
	if (offset != tai) {
		if (expired)
			check_fail(c, line ? where : conf, "update tzdata first, then compare again",
				   "ptp4l announces currentUtcOffset %d%s but the (expired) leap file "
				   "says %d: the file is probably the stale one",
				   offset, line ? "" : " (its default)", tai);
		else
			check_fail(c, line ? where : conf,
				   "set utc_offset to the leap file's value in [global]",
				   "ptp4l announces currentUtcOffset %d%s but %s says TAI-UTC is %d "
				   "now: ptp4l.conf is the wrong one, every client's UTC would be off "
				   "by %d s",
				   offset, line ? "" : " (its default)", leap_path, tai, offset - tai);
	} else {
		check_detail(c, "%d s in both", tai);
	}
}

void doctor_ntp(const struct doctor_opts *o, struct checks *cs)
{
	struct check *leap = check_new(cs, "leapfile", "ntpsec has a leap-seconds file");
	struct check *shm = check_new(cs, "shm-refclock", "SHM refclock matches phc2sys, offset in time1");
	char *text = sv_read(&o->sv, o->ntp_conf);
	if (!text) {
		check_skip(leap, "%s: not found (ntpsec not installed?)", o->ntp_conf);
		check_skip(shm, "%s: not found", o->ntp_conf);
		return;
	}
	int lineno = 0, leap_line = 0;
	char leap_path[1024] = "";
	int units[64], unit_lines[64], nunits = 0;
	char where[1200];
	for (char *l = text; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		char buf[4096];
		const char *t[64];
		int n = conf_tokens(l, buf, sizeof(buf), t, 64);
		snprintf(where, sizeof(where), "%s:%d", o->ntp_conf, lineno);
		if (n >= 2 && strcmp(t[0], "leapfile") == 0) {
			leap_line = lineno;
			snprintf(leap_path, sizeof(leap_path), "%s", t[1]);
		}
		/* ntpsec ntp_parser.y: refclock NAME [unit N] options; time1/time2 take a number */
		if (n >= 2 && strcmp(t[0], "refclock") == 0 && strcmp(t[1], "shm") == 0) {
			int unit = n >= 4 && strcmp(t[2], "unit") == 0 ? atoi(t[3]) : 0;
			if (nunits < 64) {
				units[nunits] = unit;
				unit_lines[nunits++] = lineno;
			}
			for (int i = 2; i + 1 < n; i++)
				if (strcmp(t[i], "time2") == 0 && atof(t[i + 1]) < 1.0)
					check_fail(shm, where,
						   "put the measured correction in time1 (ptpcal calibrate "
						   "computes it; positive = the refclock reads later) and drop "
						   "time2",
						   "time2 %s does nothing as an offset: for the SHM driver it is "
						   "the sanity limit used with flag1, and values below 1 s are "
						   "replaced by 4 h (ntpsec refclock_shm.c shm_control)",
						   t[i + 1]);
		}
		l = nl ? nl + 1 : NULL;
	}
	free(text);

	if (!leap_line) {
		check_fail(leap, o->ntp_conf,
			   "add `leapfile /usr/share/zoneinfo/leap-seconds.list` (ptpcal setup server)",
			   "no leapfile directive: ntpsec cannot set the kernel's TAI offset or announce "
			   "leap seconds");
	} else {
		struct stat st;
		snprintf(where, sizeof(where), "%s:%d", o->ntp_conf, leap_line);
		if (stat(sv_path(&o->sv, leap_path), &st) != 0)
			check_fail(leap, where, "install tzdata (it ships /usr/share/zoneinfo/leap-seconds.list) "
						"or fix the path",
				   "leapfile %s does not exist", leap_path);
		else
			check_leapfile(o, leap, where, leap_path);
	}
	check_utc_offset(o, cs, leap_line ? leap_path : LEAPFILE_DEFAULT);

	char unit_path[1100];
	int seg = phc2sys_shm_segment(&o->sv, unit_path, sizeof(unit_path));
	if (seg >= 0) {
		bool found = false;
		for (int i = 0; i < nunits; i++)
			found |= units[i] == seg;
		if (!found) {
			char fix[256];
			snprintf(fix, sizeof(fix), "add `refclock shm unit %d refid PTP` to %s (ptpcal setup client)",
				 seg, o->ntp_conf);
			check_fail(shm, unit_path, fix,
				   "phc2sys writes SHM segment %d (-M %d) but ntpsec reads %s", seg, seg,
				   nunits ? "other units" : "no SHM refclock");
		}
		if (seg < 2)
			check_warn(shm, unit_path, "use unit 2 or above on both sides",
				   "SHM units 0 and 1 are created root-only (mode 0600) and ntpsec runs as its "
				   "own user (ntpsec refclock_shm.c)");
	}
	if (shm->nf == 0) {
		if (seg >= 0)
			check_detail(shm, "phc2sys writes unit %d, %s reads it", seg, o->ntp_conf);
		else if (nunits)
			check_detail(shm, "refclock shm unit %d (no phc2sys -E ntpshm unit found)", units[0]);
		else
			check_skip(shm, "no SHM refclock and no phc2sys -E ntpshm (a server?)");
	}
	(void)unit_lines;
}

void doctor_dpkg(const struct doctor_opts *o, struct checks *cs)
{
	struct check *c = check_new(cs, "dpkg-verify", "linuxptp's package files are unmodified");
	const char *argv[] = { "dpkg", "-V", "linuxptp", NULL };
	char why[512];
	int status;
	char *out = sv_command(&o->sv, "dpkg-V-linuxptp.txt", argv, &status, why, sizeof(why));
	if (!out) {
		check_skip(c, "%s", why);
		return;
	}
	int conffiles = 0;
	char *save = NULL;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		/* dpkg(1) --verify format: 9 flag characters, a space, the attribute ('c' for a
		 * conffile) or a blank, a space, the path; or "missing" */
		char flags[16] = "", attr = ' ';
		const char *path = NULL;
		if (strlen(l) > 12 && l[9] == ' ') {
			memcpy(flags, l, 9);
			flags[9] = '\0';
			attr = l[10];
			path = l + 12;
		} else if (strncmp(l, "missing", 7) == 0) {
			path = l + 7;
			while (*path == ' ' || *path == 'c')
				path++;
			snprintf(flags, sizeof(flags), "missing");
		} else {
			continue;
		}
		if (attr == 'c' && strcmp(flags, "missing") != 0) {
			conffiles++;
			continue; /* your configuration, edited as intended */
		}
		check_fail(c, path,
			   "reinstall it (`apt-get install --reinstall linuxptp`); local changes belong in "
			   "/etc (drop-ins, full overrides, configuration)",
			   "%s: a package file %s", flags,
			   strcmp(flags, "missing") == 0 ? "is missing" : "was modified in place");
	}
	free(out);
	if (c->nf == 0)
		check_detail(c, "%d edited conffile%s (expected: /etc/linuxptp/ptp4l.conf), nothing else",
			     conffiles, conffiles == 1 ? "" : "s");
}
