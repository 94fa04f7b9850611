/*
 * outfile.c - output files that never lose what was there.
 *
 * A regular file (or a name not yet taken) is written as NAME.tmp.XXXXXX in
 * the same folder, flushed to disk, and renamed over NAME, so NAME holds
 * either the old bytes or all of the new ones.  The temporary is locked
 * (fcntl) while it is written, and the lock dies with the process however
 * it dies: a temporary of NAME that nobody holds locked was left by a
 * killed writer, and the next writer of NAME removes it, while a live
 * writer's is left alone.  SIGINT, SIGTERM and SIGHUP remove the temporary
 * (outfile_catch_signals); the name is registered with those signals
 * blocked, so a signal never finds half a name.
 *
 * Anything else that exists (a device such as /dev/null, a FIFO) is
 * opened and written directly: renaming over it would replace the node.
 */
/* realpath() is XSI, beyond the POSIX base the Makefile asks for. */
#define _XOPEN_SOURCE 700

#include "outfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmem.h"

/* Test hook: a folder holding FIFOs "said" and "go" (tests/cli.sh). */
#define OUTFILE_HOLD_ENV "MEMSIM_TEST_HOLD"

/* The temporary file being written, for the signal handler; NULL if none. */
static char *volatile current_tmp;

static void block_signals(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, old);
}

static void on_signal(int sig)
{
	char *tmp = current_tmp;

	if (tmp)
		unlink(tmp);
	/* Blocked while this handler runs: delivered, now fatal, on return. */
	signal(sig, SIG_DFL);
	raise(sig);
}

void outfile_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], NULL, &old);
		if (old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The folder of path ("." when it has none), in a buffer the caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Whether name is base.tmp. followed by mkstemp's six letters or digits. */
static bool is_temp_of(const char *name, const char *base)
{
	size_t n = strlen(base), i;

	if (strncmp(name, base, n) != 0 || strncmp(name + n, ".tmp.", 5) != 0)
		return false;
	name += n + 5;
	for (i = 0; i < 6; i++)
		if (!isalnum((unsigned char)name[i]))
			return false;
	return name[6] == '\0';
}

/* Removes path's temporaries that no live writer holds locked. */
static void remove_stale_temps(const char *path)
{
	char *dir = dir_of(path);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		struct stat st;
		size_t m;
		char *p;
		int fd;

		if (!is_temp_of(e->d_name, base))
			continue;
		m = strlen(dir) + strlen(e->d_name) + 2;
		p = xmalloc(m);
		snprintf(p, m, "%s/%s", dir, e->d_name);
		fd = open(p, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    fcntl(fd, F_SETLK, &fl) == 0)
			unlink(p);
		if (fd >= 0)
			close(fd);
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
}

/*
 * The test hook: tells DIR/said "PID TEMPORARY" (and keeps it open, so its
 * reader sees the end when this process ends), then waits for a line on
 * DIR/go.  Lets a test signal the writer while its temporary exists.
 */
static void test_hold(const char *tmp)
{
	const char *dir = getenv(OUTFILE_HOLD_ENV);
	size_t n;
	char *p, c;
	int fd;

	if (!dir || !*dir)
		return;
	n = strlen(dir) + 8;
	p = xmalloc(n);
	snprintf(p, n, "%s/said", dir);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		dprintf(fd, "%ld %s\n", (long)getpid(), tmp);
	snprintf(p, n, "%s/go", dir);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while (read(fd, &c, 1) < 0 && errno == EINTR)
			;
		close(fd);
	}
	free(p);
}

static int io_error(struct sim_err *err, const char *path, const char *what)
{
	return sim_err_set(err, -SIM_EIO, path, 0, 0, "%s: %s", what, strerror(errno));
}

/* Writes to a device or FIFO as it is; create is for a dangling symlink. */
static int write_direct(const char *path, const char *text, size_t len, bool newline,
			bool create, struct sim_err *err)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0),
		      0666);
	int rc = 0;

	if (fd < 0)
		return io_error(err, path, "cannot open");
	if (write_all(fd, text, len) != 0 || (newline && write_all(fd, "\n", 1) != 0))
		rc = io_error(err, path, "cannot write");
	if (close(fd) != 0 && !rc)
		rc = io_error(err, path, "cannot write");
	return rc;
}

/* Writes target through target.tmp.XXXXXX and a rename; path names it in messages. */
static int write_atomic(const char *path, const char *target, const char *text, size_t len,
			bool newline, struct sim_err *err)
{
	size_t n = strlen(target) + 16;
	char *tmp = xmalloc(n);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	sigset_t old;
	mode_t mask;
	int fd, rc = 0;

	remove_stale_temps(target);
	snprintf(tmp, n, "%s.tmp.XXXXXX", target);
	block_signals(&old);
	fd = mkstemp(tmp);
	if (fd >= 0) {
		current_tmp = tmp;
		fcntl(fd, F_SETLK, &fl);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		rc = io_error(err, path, "cannot create");
		free(tmp);
		return rc;
	}
	/* mkstemp makes the file private (0600); results get the mode any new
	 * file would, 0666 less the umask, so others can read a shared folder. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	if (write_all(fd, text, len) != 0 || (newline && write_all(fd, "\n", 1) != 0) ||
	    fsync(fd) != 0)
		rc = io_error(err, path, "cannot write");
	if (!rc)
		test_hold(tmp);
	/* The lock holds until the rename: closing first would free it. */
	block_signals(&old);
	if (!rc && rename(tmp, target) != 0)
		rc = io_error(err, path, "cannot write");
	if (rc)
		unlink(tmp);
	current_tmp = NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (close(fd) != 0 && !rc)
		rc = io_error(err, path, "cannot write");
	free(tmp);
	return rc;
}

int outfile_write(const char *path, const char *text, size_t len, bool newline,
		  struct sim_err *err)
{
	struct stat st, lst;
	char *target;
	int rc;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return io_error(err, path, "cannot write");
		}
		if (!S_ISREG(st.st_mode))
			return write_direct(path, text, len, newline, false, err);
		/* A symlink to a regular file: replace the file, keep the link. */
		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
		    (target = realpath(path, NULL))) {
			rc = write_atomic(path, target, text, len, newline, err);
			free(target);
			return rc;
		}
	} else if (errno == ENOENT && lstat(path, &lst) == 0 && !S_ISREG(lst.st_mode)) {
		/* A symlink to nothing yet: never renamed over. */
		return write_direct(path, text, len, newline, true, err);
	}
	return write_atomic(path, path, text, len, newline, err);
}

bool outfile_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

bool outfile_is_in_dir(const char *path, const char *dir)
{
	char *parent = dir_of(path);
	struct stat st;
	bool in;

	in = stat(path, &st) == 0 && S_ISREG(st.st_mode) && outfile_same_file(parent, dir);
	free(parent);
	return in;
}

int outfile_close_stdout(int code)
{
	bool bad = ferror(stdout) != 0;
	int e = 0;

	if (fflush(stdout) != 0) {
		bad = true;
		e = errno;
	}
	/* EBADF: stdout was closed to begin with, and nothing was written. */
	if (fclose(stdout) != 0 && errno != EBADF && !bad) {
		bad = true;
		e = errno;
	}
	/* A command that failed has said why; its exit status stands. */
	if (!bad || code)
		return code;
	fprintf(stderr, "memsim: error: cannot write to standard output%s%s\n", e ? ": " : "",
		e ? strerror(e) : "");
	return 1;
}
