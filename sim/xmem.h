/*
 * xmem.h - allocation that never returns NULL: running out of memory ends
 * the program with exit status 1 and "memsim: error: out of memory (...)"
 * on stderr, so callers never test.  xmem_budget says up front how much a
 * run may still allocate, so that a scenario too large is refused before
 * it starts.
 */
#ifndef XMEM_H
#define XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
/* Grows *p to hold at least need elements of size; doubles, keeps content. */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Ensures (*arr) has room for need elements; *cap is updated. */
void xgrow(void **arr, size_t *cap, size_t need, size_t size);

#define XGROW(arr, cap, need) xgrow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/*
 * A hint that *p will be read soon, so that cache misses overlap; no
 * effect on results.  A macro, and to be written where the read will be:
 * GCC drops the hint from a function that does nothing else, as it drops
 * a call to a function without side effects.
 */
#if defined(__GNUC__)
#define XMEM_PREFETCH(p) __builtin_prefetch(p)
#else
#define XMEM_PREFETCH(p) ((void)(p))
#endif

/* Reports that n bytes could not be had, and exits with status 1. */
_Noreturn void xmem_oom(size_t n);
/*
 * Bytes this process may still allocate: the least of 80% of the
 * machine's physical memory and what the address-space and data limits
 * (ulimit -v, ulimit -d) leave above what is mapped now.  *what names the
 * bound that decided.  A negative result means no bound is known.
 */
double xmem_budget(const char **what);

#endif /* XMEM_H */
