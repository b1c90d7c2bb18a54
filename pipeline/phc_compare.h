/* PHC − CLOCK_REALTIME, as `phc_ctl DEV cmp` prints it (linuxptp phc_ctl.c do_cmp /
 * clockadj.c clockadj_compare: read REALTIME, the PHC, REALTIME again and keep the reading
 * with the shortest bracket). For verify's "PHC ≈ UTC + (TAI−UTC)" check; read-only. */
#ifndef PTPCAL_PHC_COMPARE_H
#define PTPCAL_PHC_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* PHC (path "/dev/ptpN") − CLOCK_REALTIME in ns, the best of n readings; bracket_ns gets the
 * width of the best one. 0, or -1 with the reason in err (device absent, not a PHC). */
int phc_minus_realtime(const char *dev, int n, int64_t *diff_ns, int64_t *bracket_ns, char *err,
		       size_t errlen);

#endif
