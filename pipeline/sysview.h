/* What doctor and verify look at: files under a root (the live system, or a staging tree
 * with --root), the output of system commands (run live, or recorded files in an --outputs
 * directory so that tests and offline diagnosis can use captured output), and the processes
 * running (/proc, or OUTPUTS/ps.txt in `ps -eo pid,args` form). */
#ifndef PTPCAL_SYSVIEW_H
#define PTPCAL_SYSVIEW_H

#include <stdbool.h>
#include <stddef.h>

struct sysview {
	const char *root;    /* NULL: the live system's / */
	const char *outputs; /* NULL: run the commands (only without --root) */
};

/* The path of abs under the root (static buffer rotated over 8 slots). */
const char *sv_path(const struct sysview *sv, const char *abs);
/* A file's text (malloc'd) or NULL. */
char *sv_read(const struct sysview *sv, const char *abs);

/* A command's output: OUTPUTS/fake_name if an outputs directory is given (NULL if that file
 * is absent), else the live command when there is no --root, else NULL. why receives the
 * reason when NULL is returned. *status gets the exit status (0 for a recorded file). */
char *sv_command(const struct sysview *sv, const char *fake_name, const char *const argv[],
		 int *status, char *why, size_t whylen);

struct proc_entry {
	int pid;
	char *args; /* the command line, words separated by spaces */
	char name[64]; /* basename of argv[0] */
	bool other_netns; /* in another network namespace than ours (a lab, a container) */
};
/* The processes; -1 (why set) when they cannot be known (--root without outputs/ps.txt). */
int sv_processes(const struct sysview *sv, struct proc_entry **out, char *why, size_t whylen);
void sv_free_processes(struct proc_entry *p, int n);

#endif
