#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "pipeline/fsroot.h"
#include "pipeline/run_cmd.h"
#include "pipeline/sysview.h"

const char *sv_path(const struct sysview *sv, const char *abs)
{
	static char bufs[8][4096];
	static int k;
	char *b = bufs[k++ & 7];
	return fsroot_path(sv->root, abs, b, sizeof(bufs[0]));
}

char *sv_read(const struct sysview *sv, const char *abs)
{
	return fsroot_read(sv_path(sv, abs));
}

char *sv_command(const struct sysview *sv, const char *fake_name, const char *const argv[],
		 int *status, char *why, size_t whylen)
{
	*status = 0;
	if (sv->outputs) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", sv->outputs, fake_name);
		char *t = fsroot_read(p);
		if (!t)
			snprintf(why, whylen, "no recorded output %s", p);
		return t;
	}
	if (sv->root) {
		snprintf(why, whylen, "--root is a staging tree: '%s' would describe this machine, not "
				      "it (give --outputs DIR with %s)",
			 argv[0], fake_name);
		return NULL;
	}
	char *out = NULL;
	int st = run_capture(argv, &out, 10000);
	if (st < 0) {
		snprintf(why, whylen, "%s: not installed or did not finish", argv[0]);
		return NULL;
	}
	*status = st;
	return out;
}

static void add_proc(struct proc_entry **v, int *n, int pid, const char *args)
{
	*v = xrealloc(*v, sizeof(struct proc_entry) * (size_t)(*n + 1));
	struct proc_entry *e = &(*v)[(*n)++];
	e->pid = pid;
	e->other_netns = false;
	e->args = xstrdup(args);
	size_t l = strcspn(args, " ");
	const char *a0 = args;
	for (size_t i = 0; i < l; i++)
		if (args[i] == '/')
			a0 = args + i + 1;
	size_t bl = (size_t)(args + l - a0);
	if (bl >= sizeof(e->name))
		bl = sizeof(e->name) - 1;
	memcpy(e->name, a0, bl);
	e->name[bl] = '\0';
}

int sv_processes(const struct sysview *sv, struct proc_entry **out, char *why, size_t whylen)
{
	*out = NULL;
	int n = 0;
	if (sv->outputs || sv->root) {
		if (!sv->outputs) {
			snprintf(why, whylen, "--root is a staging tree: its processes are unknown (give "
					      "--outputs DIR with ps.txt)");
			return -1;
		}
		char p[4096];
		snprintf(p, sizeof(p), "%s/ps.txt", sv->outputs);
		char *t = fsroot_read(p);
		if (!t) {
			snprintf(why, whylen, "no recorded process list %s", p);
			return -1;
		}
		char *save = NULL;
		for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			while (*l == ' ')
				l++;
			char *end;
			long pid = strtol(l, &end, 10);
			if (end == l || pid <= 0)
				continue; /* the header line */
			while (*end == ' ')
				end++;
			add_proc(out, &n, (int)pid, end);
		}
		free(t);
		return n;
	}
	char self_ns[64] = "";
	ssize_t sl = readlink("/proc/self/ns/net", self_ns, sizeof(self_ns) - 1);
	self_ns[sl > 0 ? sl : 0] = '\0';
	DIR *d = opendir("/proc");
	if (!d) {
		snprintf(why, whylen, "/proc: cannot read it");
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		char p[300], buf[4096];
		snprintf(p, sizeof(p), "/proc/%s/cmdline", de->d_name);
		FILE *f = fopen(p, "rb");
		if (!f)
			continue;
		size_t r = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		if (r == 0)
			continue; /* kernel thread */
		for (size_t i = 0; i < r; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		while (r > 0 && buf[r - 1] == ' ')
			r--;
		buf[r] = '\0';
		add_proc(out, &n, atoi(de->d_name), buf);
		char nsp[300], ns[64];
		snprintf(nsp, sizeof(nsp), "/proc/%s/ns/net", de->d_name);
		ssize_t nl = readlink(nsp, ns, sizeof(ns) - 1);
		if (nl > 0 && self_ns[0]) {
			ns[nl] = '\0';
			(*out)[n - 1].other_netns = strcmp(ns, self_ns) != 0;
		}
	}
	closedir(d);
	return n;
}

void sv_free_processes(struct proc_entry *p, int n)
{
	for (int i = 0; i < n; i++)
		free(p[i].args);
	free(p);
}
