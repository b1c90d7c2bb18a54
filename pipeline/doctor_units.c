#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "pipeline/doctor.h"
#include "pipeline/fsroot.h"

/* systemd's unit directories, in its search order (systemd.unit(5)). */
static const char *const unit_dirs[] = { "/etc/systemd/system", "/run/systemd/system",
					 "/usr/lib/systemd/system", "/lib/systemd/system", NULL };

struct seen {
	dev_t dev[4096];
	ino_t ino[4096];
	int n;
};

static bool seen_before(struct seen *s, const struct stat *st)
{
	for (int i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return true;
	if (s->n < 4096) {
		s->dev[s->n] = st->st_dev;
		s->ino[s->n++] = st->st_ino;
	}
	return false;
}

/* "ptp4l.service" / "phc2sys.service" as a whole word (not "ptp4l@.service",
 * "ptp4l@eth0.service" or "xptp4l.service"). */
static const char *bare_ref(const char *line)
{
	static const char *const names[] = { "ptp4l.service", "phc2sys.service", NULL };
	for (int k = 0; names[k]; k++) {
		size_t nl = strlen(names[k]);
		for (const char *p = strstr(line, names[k]); p; p = strstr(p + 1, names[k])) {
			bool left = p == line || p[-1] == ' ' || p[-1] == '=' || p[-1] == ',' ||
				    p[-1] == '\t' || p[-1] == '/';
			bool right = !p[nl] || isspace((unsigned char)p[nl]) || p[nl] == ',';
			if (left && right)
				return names[k];
		}
	}
	return NULL;
}

static bool is_dep_key(const char *line, char *key, size_t keylen, const char **value)
{
	static const char *const deps[] = { "Requires", "After",    "Wants",  "Before", "Conflicts",
					    "Requisite", "BindsTo", "PartOf", "Upholds", NULL };
	const char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	for (int i = 0; deps[i]; i++) {
		size_t l = strlen(deps[i]);
		if (strncmp(s, deps[i], l) == 0) {
			const char *e = s + l;
			while (*e == ' ' || *e == '\t')
				e++;
			if (*e != '=')
				continue;
			e++;
			while (*e == ' ' || *e == '\t')
				e++;
			snprintf(key, keylen, "%s", deps[i]);
			*value = e;
			return true;
		}
	}
	return false;
}

struct ctx {
	const struct doctor_opts *o;
	struct check *stray, *resets, *vendor;
	struct seen seen;
	bool have_full_phc2sys_override; /* /etc/systemd/system/phc2sys@.service */
};

static void scan_file(struct ctx *x, const char *shown, const char *real, const char *base,
		      bool in_dropin_dir, bool writable_dir)
{
	char *text = fsroot_read(real);
	if (!text)
		return;
	int lineno = 0;
	char *save = NULL;
	/* strtok_r would merge empty lines and shift the numbers: walk by hand */
	(void)save;
	for (char *l = text; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		char where[4200];
		snprintf(where, sizeof(where), "%s:%d", shown, lineno);
		const char *s = l;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s && *s != '#' && *s != ';') {
			const char *ref = bare_ref(s);
			bool timemaster = strcmp(base, "timemaster.service") == 0 &&
					  strncmp(s, "Conflicts", 9) == 0;
			if (ref && !timemaster) {
				if (strcmp(base, "phc2sys@.service") == 0 && !writable_dir) {
					/* the vendor template: shadowed by a full override in /etc? */
					if (!x->have_full_phc2sys_override)
						check_fail(x->vendor, where,
							   "override the whole unit: `ptpcal setup server|client` "
							   "writes /etc/systemd/system/phc2sys@.service (systemctl "
							   "edit --full phc2sys@.service)",
							   "the vendor unit depends on %s, which does not exist: "
							   "`systemctl start phc2sys@IF` fails with \"Unit %s not "
							   "found\"",
							   ref, ref);
				} else {
					check_fail(x->stray, where,
						   "point it at the templated unit (ptp4l@IF.service / "
						   "phc2sys@IF.service) or remove the leftover",
						   "refers to the non-templated %s (pre-4.0 leftover or hand-made)",
						   ref);
				}
			}
			char key[32];
			const char *v;
			if (in_dropin_dir && is_dep_key(s, key, sizeof(key), &v) && !*v)
				check_fail(x->resets, where,
					   "remove this drop-in and override the whole unit instead "
					   "(`systemctl edit --full UNIT`; ptpcal setup does it for "
					   "phc2sys@.service)",
					   "empty %s= in a drop-in does not remove the vendor unit's "
					   "dependencies: they cannot be reset, only added to "
					   "(systemd.unit(5))",
					   key);
		}
		l = nl ? nl + 1 : NULL;
	}
	free(text);
}

static void scan_dir(struct ctx *x, const char *shown_dir, int depth, bool in_dropin,
		     bool writable)
{
	const char *real_dir = sv_path(&x->o->sv, shown_dir);
	DIR *d = opendir(real_dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char shown[4096], real[4096];
		snprintf(shown, sizeof(shown), "%s/%s", shown_dir, de->d_name);
		snprintf(real, sizeof(real), "%s", sv_path(&x->o->sv, shown));
		struct stat st;
		if (stat(real, &st) != 0) {
			/* a dangling symlink (e.g. masked to /dev/null is fine; this is not) */
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			size_t l = strlen(de->d_name);
			bool dropin = l > 2 && strcmp(de->d_name + l - 2, ".d") == 0;
			bool wants = l > 6 && (strcmp(de->d_name + l - 6, ".wants") == 0 ||
					       (l > 9 && strcmp(de->d_name + l - 9, ".requires") == 0));
			if (depth == 0 && (dropin || wants)) {
				if (wants) {
					/* enabled links: a non-templated ptp4l/phc2sys enabled */
					DIR *w = opendir(real);
					struct dirent *we;
					while (w && (we = readdir(w))) {
						if (strcmp(we->d_name, "ptp4l.service") == 0 ||
						    strcmp(we->d_name, "phc2sys.service") == 0) {
							char wp[4400];
							snprintf(wp, sizeof(wp), "%s/%s", shown, we->d_name);
							check_fail(x->stray, wp,
								   "systemctl disable it (and remove the unit "
								   "if `dpkg -S` says no package owns it)",
								   "the non-templated %s is enabled", we->d_name);
						}
					}
					if (w)
						closedir(w);
				} else {
					scan_dir(x, shown, depth + 1, true, writable);
				}
			}
			continue;
		}
		if (!S_ISREG(st.st_mode) || seen_before(&x->seen, &st))
			continue;
		if (depth == 0 && (strcmp(de->d_name, "ptp4l.service") == 0 ||
				   strcmp(de->d_name, "phc2sys.service") == 0))
			check_fail(x->stray, shown,
				   "if `dpkg -S` reports it unowned, delete it; if it is a local copy, "
				   "`systemctl disable` it and use the templated unit",
				   "a non-templated unit file: linuxptp >= 4.0 (and Debian's 3.1.1) ship "
				   "only ptp4l@.service / phc2sys@.service; a second ptp4l from it races "
				   "the templated one");
		const char *base = de->d_name;
		if (in_dropin) {
			/* for a drop-in, the unit is the directory's name without ".d" */
			static char unit[256];
			const char *slash = strrchr(shown_dir, '/');
			snprintf(unit, sizeof(unit), "%s", slash ? slash + 1 : shown_dir);
			size_t ul = strlen(unit);
			if (ul > 2)
				unit[ul - 2] = '\0';
			base = unit;
		}
		scan_file(x, shown, real, base, in_dropin, writable);
	}
	closedir(d);
}

void doctor_units(const struct doctor_opts *o, struct checks *cs)
{
	struct ctx *x = xcalloc(1, sizeof(*x));
	x->o = o;
	x->stray = check_new(cs, "stray-units", "no non-templated ptp4l/phc2sys units or references");
	x->resets = check_new(cs, "dropin-resets", "no drop-in tries to reset dependencies");
	x->vendor = check_new(cs, "phc2sys-override", "phc2sys@.service does not need ptp4l.service");
	struct stat st;
	x->have_full_phc2sys_override =
		stat(sv_path(&o->sv, "/etc/systemd/system/phc2sys@.service"), &st) == 0;
	bool any = false;
	for (int i = 0; unit_dirs[i]; i++) {
		if (stat(sv_path(&o->sv, unit_dirs[i]), &st) == 0)
			any = true;
		scan_dir(x, unit_dirs[i], 0, false, i < 2);
	}
	if (!any) {
		check_skip(x->stray, "no systemd unit directory under %s", o->sv.root ? o->sv.root : "/");
		check_skip(x->resets, "no systemd unit directory");
		check_skip(x->vendor, "no systemd unit directory");
	} else {
		if (x->vendor->nf == 0)
			check_detail(x->vendor, x->have_full_phc2sys_override
							? "full override in /etc/systemd/system/phc2sys@.service"
							: "no vendor reference to ptp4l.service");
		if (x->stray->nf == 0)
			check_detail(x->stray, "only templated units (timemaster's Conflicts= is harmless)");
	}
	free(x);
}
