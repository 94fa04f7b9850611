/*
 * plot.h - `memsim plot`: pictures of results and sweep summaries, drawn
 * by gnuplot (an optional dependency) as PNG and SVG.
 */
#ifndef PLOT_H
#define PLOT_H

/* The plot command; argv excludes "memsim plot".  Returns the exit code. */
int plot_main(int argc, char **argv);

#endif /* PLOT_H */
