/*
 * xmem.h - allocation that never returns NULL: running out of memory
 * aborts with a message (as Redis's zmalloc), so callers never test.
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

#endif /* XMEM_H */
