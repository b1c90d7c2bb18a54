/* See gnuplot.h. */
#include "report/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"

/* The palette: colour-blind-safe (Okabe-Ito) hues, one per quantity across all figures. */
static const char PREAMBLE[] =
	"set encoding utf8\n"
	"# Colours shared by every figure of the report (one per quantity)\n"
	"C_OFFSET = '#0072b2'; C_DELAY = '#009e73'; C_TRUTH = '#d55e00'; C_BIAS = '#cc79a7'\n"
	"C_ADEV = '#0072b2'; C_MDEV = '#e69f00'; C_TDEV = '#009e73'; C_FWD = '#0072b2'\n"
	"C_REV = '#d55e00'; C_MASK = '#000000'; C_GUIDE = '#a0a0a0'; C_MARK = '#555555'\n"
	"C_SETTLING = '#f0c419'; C_EXCLUDED = '#b0b0b0'; C_NETWORK = '#d55e00'\n"
	"set border lw 1 lc rgb '#404040'\n"
	"set grid xtics ytics mxtics mytics lc rgb '#e4e4e4' lw 1 dt 1, lc rgb '#f2f2f2' lw 1 dt 1\n"
	"set tics out nomirror\n"
	"set key top right opaque box lc rgb '#c0c0c0' samplen 2 spacing 1.1\n"
	"set style fill solid 1.0 noborder\n"
	"set lmargin 12\nset rmargin 4\nset bmargin 4.5\n";

static void term_png(FILE *f, const char *name)
{
	fprintf(f, "set terminal pngcairo size %d,%d font 'DejaVu Sans,10' noenhanced "
		   "background rgb 'white'\n", GP_WIDTH, GP_HEIGHT);
	fprintf(f, "set output ");
	gp_quote(f, name);
	fprintf(f, ".'.png'\n");
}

void gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

FILE *gp_begin(const char *dir, const char *name, const char *title)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "# %s\n# Written by ptpcal report; run it again with: cd %s && gnuplot %s.gp\n"
		   "# Data: %s*.dat (plain columns, units in their header comment).\n",
		title, "<this directory>", name, name);
	fputs(PREAMBLE, f);
	term_png(f, name);
	fprintf(f, "set title ");
	gp_quote(f, title);
	fprintf(f, "\n");
	return f;
}

bool gp_end(FILE *f, const char *dir, const char *name)
{
	fprintf(f, "\n# The same figure as SVG\n"
		   "set terminal svg size %d,%d font 'DejaVu Sans,10' noenhanced "
		   "background rgb 'white'\n"
		   "set output '%s.svg'\nreplot\nunset output\n", GP_WIDTH, GP_HEIGHT, name);
	bool bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		log_err("%s/%s.gp: write error", dir, name);
		return false;
	}
	return true;
}

const char *gp_find(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		if (n > 0) {
			snprintf(buf, len, "%.*s/gnuplot", (int)n, path);
			if (access(buf, X_OK) == 0)
				return buf;
		}
		if (!end)
			break;
		path = end + 1;
	}
	return NULL;
}

static bool nonempty(const char *dir, const char *name, const char *ext)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void last_log_line(const char *dir, const char *name, char *out, size_t len)
{
	char path[4200], line[512];
	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		size_t m = strlen(line);
		if (m == 0 || strspn(line, " ^") == m)
			continue; /* gnuplot's caret line under the failing command */
		if (m >= len)
			m = len - 1;
		memcpy(out, line, m);
		out[m] = '\0';
	}
	fclose(f);
}

static pid_t spawn(const char *gnuplot, const char *dir, const char *name)
{
	char log[4200], script[300];
	snprintf(log, sizeof(log), "%s/%s.log", dir, name);
	snprintf(script, sizeof(script), "%s.gp", name);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* child: in the output directory, so the script's relative names work as for users */
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || chdir(dir) != 0)
		_exit(126);
	dup2(fd, 2);
	int nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
	}
	execl(gnuplot, "gnuplot", script, (char *)NULL);
	_exit(127);
}

int gp_run_all(const char *gnuplot, const char *dir, struct gp_job *jobs, size_t n, int parallel)
{
	pid_t *pids = xcalloc(n ? n : 1, sizeof(pid_t));
	size_t next = 0, running = 0, done = 0;
	int failed = 0;
	while (done < n) {
		while (next < n && running < (size_t)parallel) {
			pids[next] = spawn(gnuplot, dir, jobs[next].name);
			if (pids[next] < 0) {
				snprintf(jobs[next].why, sizeof(jobs[next].why), "fork: %s",
					 strerror(errno));
				jobs[next].ok = false;
				failed++;
				done++;
			} else {
				running++;
			}
			next++;
		}
		if (running == 0)
			continue;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		size_t i;
		for (i = 0; i < next && pids[i] != pid; i++)
			;
		if (i == next)
			continue; /* not one of ours */
		running--;
		done++;
		pids[i] = 0;
		struct gp_job *j = &jobs[i];
		j->ok = false;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
			snprintf(j->why, sizeof(j->why), "could not run %s", gnuplot);
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			char last[200];
			last_log_line(dir, j->name, last, sizeof(last));
			snprintf(j->why, sizeof(j->why), "gnuplot %s %d: %s",
				 WIFEXITED(status) ? "exited with" : "killed by signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
				 last[0] ? last : "(no message)");
		} else if (!nonempty(dir, j->name, "png") || !nonempty(dir, j->name, "svg")) {
			snprintf(j->why, sizeof(j->why), "gnuplot wrote no %s.png/%s.svg", j->name,
				 j->name);
		} else {
			j->ok = true;
			char log[4200];
			struct stat st;
			snprintf(log, sizeof(log), "%s/%s.log", dir, j->name);
			if (stat(log, &st) == 0 && st.st_size == 0)
				unlink(log); /* nothing to say */
		}
		if (!j->ok)
			failed++;
	}
	free(pids);
	return failed;
}
