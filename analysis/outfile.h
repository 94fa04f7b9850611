/*
 * outfile.h - writing an output file without losing anything: results,
 * traces and summaries go to a temporary file beside their name, renamed
 * into place when whole, so a reader never sees half a file and a failure
 * leaves the old file as it was.  A path that exists and is not a regular
 * file (a device, a FIFO) is written directly, never renamed over.
 *
 * Invariant: a failure removes only the temporary file this process made.
 */
#ifndef OUTFILE_H
#define OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/*
 * Writes len bytes of text (and a newline when newline is set) to path.
 * Before that, removes the temporaries of path (path.tmp.XXXXXX) that a
 * killed writer left: those no live process holds locked.
 * Returns 0 or -SIM_EIO with *err naming path.
 */
int outfile_write(const char *path, const char *text, size_t len, bool newline,
		  struct sim_err *err);

/*
 * SIGINT, SIGTERM and SIGHUP remove the temporary file being written, then
 * end the process by the same signal (exit status 128 + signal in a shell).
 * A signal the process ignores (a background job's SIGINT) stays ignored.
 */
void outfile_catch_signals(void);

/* Whether a and b name the same existing file (device and inode). */
bool outfile_same_file(const char *a, const char *b);
/* Whether path exists and is a regular file directly inside folder dir. */
bool outfile_is_in_dir(const char *path, const char *dir);

/*
 * Flushes and closes standard output.  When that fails after a command
 * that succeeded (code 0), prints "memsim: error: cannot write to standard
 * output: ..." and returns 1; returns code otherwise.
 */
int outfile_close_stdout(int code);

#endif /* OUTFILE_H */
