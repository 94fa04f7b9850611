/*
 * bench.h - what the benchmarks share: a monotonic clock, a run of a
 * config given as text, and a run in a child process, whose CPU time and
 * peak memory are that run's alone.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads the config text (through a temporary file) and runs its first
 * replication into *rec; returns the run's wall time.  Exits on error. */
/* The threads a run's ticks use (run -j); a benchmark may set it. */
static int bench_threads = 1;

static inline double bench_run_text(const char *text, struct run_record *rec)
{
	char path[] = "/tmp/memsim-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fd < 0 ? NULL : fdopen(fd, "w");
	struct scenario sc;
	struct sim_err err = {0};
	struct run_opts o = {.threads = bench_threads};
	double t0;

	if (!fp || fputs(text, fp) == EOF || fclose(fp)) {
		perror(path);
		exit(1);
	}
	if (scenario_load(path, NULL, &sc, &err)) {
		sim_err_print(&err, stderr);
		unlink(path);
		exit(1);
	}
	unlink(path);
	t0 = bench_now_s();
	if (run_replication(&sc, 0, &o, rec, &err)) {
		sim_err_print(&err, stderr);
		exit(1);
	}
	t0 = bench_now_s() - t0;
	scenario_release(&sc);
	return t0;
}

#ifdef _DEFAULT_SOURCE  /* wait4: a benchmark that runs children defines it first */
/* Runs fn(arg, out) in a child process and copies its out (size bytes)
 * back; *cpu_s and *rss_mib get the child's CPU time and peak memory.
 * Exits, naming what, when the child fails. */
static inline void bench_in_child(void (*fn)(const void *arg, void *out), const void *arg,
				  void *out, size_t size, double *cpu_s, double *rss_mib,
				  const char *what)
{
	int fd[2], status;
	struct rusage ru;
	pid_t pid;

	fflush(stdout);
	if (pipe(fd) || (pid = fork()) < 0) {
		perror(what);
		exit(1);
	}
	if (pid == 0) {
		close(fd[0]);
		fn(arg, out);
		if (write(fd[1], out, size) != (ssize_t)size)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], out, size) != (ssize_t)size || wait4(pid, &status, 0, &ru) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: a run failed\n", what);
		exit(1);
	}
	close(fd[0]);
	*cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	*rss_mib = (double)ru.ru_maxrss / 1024;
}
#endif

#endif /* BENCH_H */
