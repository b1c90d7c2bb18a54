/* Rolling windows: the run cut into consecutive windows of a fixed duration (1 min, 10 min,
 * 1 h ...), each summarised (n, mean, std, min, max). How much the window means move is what
 * a single whole-run distribution hides: wander, delay steps, a drifting bias. Windows start
 * at the first sample; a last window shorter than half the duration is dropped. */
#ifndef PTPCAL_ROLLING_H
#define PTPCAL_ROLLING_H

#include <stddef.h>
#include <stdint.h>

struct window_stat {
	int64_t t_start_ns, t_mid_ns;
	size_t n;
	double mean, std, min, max;
};

/* Windows of width_ns over (t_ns[i], v[i]) for the i with use[i] != 0 (use may be NULL) and
 * finite v. Returns the number of windows (allocated in *out, caller frees); windows with no
 * sample are skipped. */
size_t rolling_windows(const int64_t *t_ns, const double *v, const unsigned char *use, size_t n,
		       int64_t width_ns, struct window_stat **out);

/* Summary over windows: the spread of their means and the largest std. */
struct rolling_summary {
	double width_s;
	size_t windows;
	double mean_min, mean_max, std_max;
};
void rolling_summarise(const struct window_stat *w, size_t nw, double width_s,
		       struct rolling_summary *out);

#endif
