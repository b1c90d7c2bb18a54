/* `ptpcal analyze --out DIR`: datasets for plotting (docs/analyze-output.md) and the JSON
 * summary. */
#ifndef PTPCAL_ANALYZE_OUT_H
#define PTPCAL_ANALYZE_OUT_H

#include "analyze/analysis.h"

/* Creates DIR if needed (one level) and writes every file. 0, or -1 after printing why. */
int analyze_write_out(const char *dir, const struct analysis *an);

#endif
