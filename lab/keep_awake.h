/* Keeps every CPU of this process's affinity from going idle while the lab switch runs: one
 * thread per CPU, SCHED_IDLE, spinning. On a VM an idle vCPU halts and the host wakes it when
 * the switch's timer fires -- milliseconds late when the host is busy (this lab's VM: p99 send
 * error 5-6 ms idle, 28-34 us with the spinners, docs/lab.md). SCHED_IDLE yields to every
 * other task at once (user-space spinning is always preemptible), so the spinners cost only
 * CPU time nothing else wanted. */
#ifndef PTPCAL_KEEP_AWAKE_H
#define PTPCAL_KEEP_AWAKE_H

/* Starts the spinners (before the caller raises its own priority: they must not inherit it).
 * Returns how many were started (0 when threads or SCHED_IDLE are not available). */
int keep_awake_start(void);
/* Stops and joins them. */
void keep_awake_stop(void);

#endif
