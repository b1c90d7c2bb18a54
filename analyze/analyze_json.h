/* The --json document of `ptpcal analyze` (schema "ptpcal-analyze/1", docs/analyze-json.md)
 * and the text report. */
#ifndef PTPCAL_ANALYZE_JSON_H
#define PTPCAL_ANALYZE_JSON_H

#include <stdio.h>

#include "analyze/analysis.h"

void analyze_write_json(FILE *f, const struct analysis *an);
void analyze_write_text(FILE *f, const struct analysis *an);

#endif
