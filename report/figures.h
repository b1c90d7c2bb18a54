/* The report's figures, one function each. A figure function writes NAME.gp (gnuplot
 * script) and its NAME*.dat data next to it in the output directory, or says why the figure
 * does not apply (e.g. no truth in the data). Long series are decimated for plotting only
 * (report/decimate.h); every statistic shown comes from the analysis, which used every sample. */
#ifndef PTPCAL_REPORT_FIGURES_H
#define PTPCAL_REPORT_FIGURES_H

#include <stdbool.h>
#include <stddef.h>

#include "report/analysis_in.h"
#include "report/units.h"

struct residence;

struct fig_ctx {
	const char *dir;             /* output directory */
	const struct analysis_in *a;
	const char *source;          /* input file name(s) for titles */
	const struct residence *res; /* switch residence times, or NULL */
	const char *res_source;
	struct time_axis axis;
	size_t buckets;              /* decimation buckets across a time axis */
};

struct figure {
	char name[48];        /* file stem: NAME.gp, NAME.png, NAME.svg */
	char title[200];      /* what it shows (HTML heading) */
	char caption[400];    /* how to read it */
	bool made;            /* script and data written */
	char skipped[200];    /* why not, when !made */
	bool rendered;        /* NAME.png and NAME.svg exist */
	char failed[256];     /* gnuplot's complaint, when it ran and failed */
};

/* Each returns false only on an I/O error (already printed); a figure that does not apply
 * returns true with made == false and the reason in skipped. */
typedef bool (*figure_fn)(const struct fig_ctx *c, struct figure *f);
bool fig_offset(const struct fig_ctx *c, struct figure *f);
bool fig_offset_zoom(const struct fig_ctx *c, struct figure *f);
bool fig_delay_zoom(const struct fig_ctx *c, struct figure *f);
bool fig_delay(const struct fig_ctx *c, struct figure *f);
bool fig_histogram(const struct fig_ctx *c, struct figure *f);
bool fig_bias(const struct fig_ctx *c, struct figure *f);
bool fig_truth(const struct fig_ctx *c, struct figure *f);
bool fig_adev(const struct fig_ctx *c, struct figure *f);
bool fig_tdev(const struct fig_ctx *c, struct figure *f);
bool fig_mtie_mask(const struct fig_ctx *c, struct figure *f);
bool fig_tdev_mask(const struct fig_ctx *c, struct figure *f);
bool fig_residence(const struct fig_ctx *c, struct figure *f);

/* All of them, in the order of the report. */
extern const figure_fn figure_list[];
extern const size_t figure_count;

#endif
