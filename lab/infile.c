/* Input files that may be xz or gzip compressed (see infile.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/pcap_in.h"
#include "common/log.h"
#include "lab/infile.h"

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

bool infile_open(struct infile *f, const char *path)
{
	f->pid = 0;
	f->fd = -1;
	const char *tool = has_suffix(path, ".xz") ? "xz" : has_suffix(path, ".gz") ? "gzip" : NULL;
	if (!tool) {
		snprintf(f->path, sizeof(f->path), "%s", path);
		return true;
	}
	if (access(path, R_OK) != 0) {
		log_err("%s: %s", path, strerror(errno));
		return false;
	}
	int p[2];
	if (pipe(p) < 0) {
		log_err("pipe: %s", strerror(errno));
		return false;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execlp(tool, tool, "-dc", "--", path, (char *)NULL);
		fprintf(stderr, "ptpcal: %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	f->pid = pid;
	f->fd = p[0];
	snprintf(f->path, sizeof(f->path), "/dev/fd/%d", p[0]);
	return true;
}

/* 0, or -1 if the decompressor failed (damaged file). */
int infile_close(struct infile *f, const char *path)
{
	int rc = 0;
	if (f->fd >= 0)
		close(f->fd);
	if (f->pid > 0) {
		int st;
		waitpid(f->pid, &st, 0);
		/* SIGPIPE: we stopped reading early, not an error */
		if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0) &&
		    !(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE)) {
			log_err("%s: decompression failed", path);
			rc = -1;
		}
	}
	f->fd = -1;
	f->pid = 0;
	return rc;
}


struct pcap_in *infile_open_pcap(struct infile *f, const char *path)
{
	if (!infile_open(f, path))
		return NULL;
	struct pcap_in *in = pcap_in_open_offline_as(f->path, path); /* named as given, not /dev/fd/N */
	if (!in)
		infile_close(f, path);
	return in;
}
