/* What every long-running command (capture -r/-i, clock, lab switch) does alike: stop
 * cleanly on SIGINT/SIGTERM with everything read so far written, show a progress line only
 * on a terminal, and time its run on the monotonic clock. */
#ifndef PTPCAL_STOP_SIGNAL_H
#define PTPCAL_STOP_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

/* Catches SIGINT and SIGTERM without SA_RESTART, so a blocking poll, read or ioctl returns
 * (EINTR) and the command's loop sees stop_signal_caught(). wake, when not NULL, is also
 * called from the handler and must be async-signal-safe (pcap_breakloop is). */
void stop_signal_catch(void (*wake)(void));
/* The signal (SIGINT or SIGTERM) that asked to stop; 0 while none did. */
int stop_signal_caught(void);

/* Whether to draw a "\r..." progress line: stderr is a terminal and not --quiet. */
bool progress_wanted(void);

/* CLOCK_MONOTONIC in ns: durations and progress intervals, never timestamps. */
int64_t mono_now_ns(void);

#endif
