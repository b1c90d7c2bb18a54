#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "common/log.h"
#include "lab/keep_awake.h"

#define MAX_SPINNERS 64

static atomic_bool stop_spinning;
static pthread_t spinners[MAX_SPINNERS];
static int nspinners;

static void *spin(void *arg)
{
	int cpu = (int)(long)arg;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	struct sched_param sp = { .sched_priority = 0 };
	/* Pinned first, then the lowest class: on any failure the thread ends rather than
	 * compete with the switch. */
	if (sched_setaffinity(0, sizeof(set), &set) != 0 || sched_setscheduler(0, SCHED_IDLE, &sp))
		return NULL;
	/* No PAUSE in the loop: a VM's host takes a PAUSE loop for a spinlock waiter and may
	 * deschedule the vCPU (pause-loop exiting), the very wake-up delay this avoids. */
	while (!atomic_load_explicit(&stop_spinning, memory_order_relaxed))
		;
	return NULL;
}

int keep_awake_start(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	atomic_store(&stop_spinning, false);
	for (int cpu = 0; cpu < CPU_SETSIZE && nspinners < MAX_SPINNERS; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		int e = pthread_create(&spinners[nspinners], NULL, spin, (void *)(long)cpu);
		if (e) {
			log_warn("keep-awake: cannot start a thread for CPU %d: %s", cpu, strerror(e));
			break;
		}
		nspinners++;
	}
	return nspinners;
}

void keep_awake_stop(void)
{
	atomic_store(&stop_spinning, true);
	for (int i = 0; i < nspinners; i++)
		pthread_join(spinners[i], NULL);
	nspinners = 0;
}
