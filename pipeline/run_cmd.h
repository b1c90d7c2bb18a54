/* Running a helper program (ptp4l -v, ethtool -T, dpkg -V) and reading what it prints.
 * No shell is involved: argv is executed as given (PATH search for a bare name). The child's
 * stdout and stderr are both captured; it is killed (by its own PID) after timeout_ms. */
#ifndef PTPCAL_RUN_CMD_H
#define PTPCAL_RUN_CMD_H

/* Returns the exit status (0..255), 128+N if killed by signal N, or -1 if the program could
 * not be started (not installed) or timed out. *out receives the output (malloc'd, NUL
 * terminated, may be empty; at most 1 MiB is kept) whenever the return is not -1, else NULL.
 */
int run_capture(const char *const argv[], char **out, int timeout_ms);

#endif
