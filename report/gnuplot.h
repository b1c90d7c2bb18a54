/* gnuplot as the plotting back end: one script per figure, written next to its pictures so
 * users can tweak and rerun it (`cd DIR && gnuplot NAME.gp`), rendering NAME.png (pngcairo)
 * and NAME.svg. Scripts share one preamble: fonts, non-enhanced text (titles are literal),
 * and the report's colours as named variables (C_OFFSET, C_DELAY, ...), so every figure uses
 * the same colour for the same quantity. gnuplot runs as a child process; its exit status
 * and its two output files are checked, its messages kept in NAME.log. */
#ifndef PTPCAL_REPORT_GNUPLOT_H
#define PTPCAL_REPORT_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define GP_WIDTH 1000
#define GP_HEIGHT 440

/* Creates DIR/NAME.gp with the preamble and the PNG output set. NULL after printing why. */
FILE *gp_begin(const char *dir, const char *name, const char *title);
/* Adds the SVG rendering (same plot, replotted) and closes; false after printing why. */
bool gp_end(FILE *f, const char *dir, const char *name);

/* Writes s as a gnuplot single-quoted string ('' stands for '; no newlines). */
void gp_quote(FILE *f, const char *s);

/* The gnuplot executable found on PATH (into buf), or NULL. */
const char *gp_find(char *buf, size_t len);

struct gp_job {
	const char *name;  /* NAME: runs NAME.gp in the directory */
	bool ok;           /* exit 0 and non-empty NAME.png and NAME.svg */
	char why[256];     /* otherwise, what went wrong (last line of NAME.log) */
};
/* Runs every job in dir, at most `parallel` at once. Returns the number that failed. */
int gp_run_all(const char *gnuplot, const char *dir, struct gp_job *jobs, size_t n,
	       int parallel);

#endif
