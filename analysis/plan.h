/*
 * plan.h - `memsim plan`: the smallest value of a config key for which
 * every replication meets the config's SLA, by bisection over runs.
 */
#ifndef PLAN_H
#define PLAN_H

/* The plan command; argv excludes "memsim plan".  Returns the exit code. */
int plan_main(int argc, char **argv);

#endif /* PLAN_H */
