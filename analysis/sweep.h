/*
 * sweep.h - `memsim sweep`: a grid (or zip) of config overrides times
 * replications, each point-replication one `memsim run`, resumable, and
 * summarized with 95% confidence intervals (DESIGN.md section 9).
 */
#ifndef SWEEP_H
#define SWEEP_H

/* The sweep command; argv excludes "memsim sweep".  Returns the exit code. */
int sweep_main(int argc, char **argv);

#endif /* SWEEP_H */
