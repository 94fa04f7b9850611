/*
 * balloon_esx_idle_tax.h - the arithmetic of ESX's share-based allocation
 * with an idle memory tax (Waldspurger, OSDI 2002, section 5.2;
 * MECHANISMS.md 1.1), apart from the policy so that tests can check it:
 * k from the tax rate, the adjusted shares per page rho, and the water
 * level at which every VM's rho is equal and the allocations use up what
 * the host can give.
 */
#ifndef BALLOON_ESX_IDLE_TAX_H
#define BALLOON_ESX_IDLE_TAX_H

#include <stddef.h>

/* What the allocation of one VM depends on, in pages. */
struct esx_tax_vm {
	double shares;                  /* S; a VM without any keeps its reservation */
	double active_pages;            /* the estimator's active pages */
	double min_pages;               /* its reservation: never allocated less */
	double max_pages;               /* min(limit, memory): never allocated more */
};

/* The idle page cost k = 1 / (1 - tau) for a tax rate tau in [0, 1). */
double esx_idle_tax_k(double tax_rate);
/* rho = S / (P (f + k (1 - f))) for S shares and P pages of which the
 * fraction f is active. */
double esx_idle_tax_rho(double shares, double pages, double active_fraction, double k);
/*
 * Min-funding revocation at equilibrium: writes alloc[i], the pages VM i
 * is allocated, so that each unclamped VM's rho (with f = its active
 * pages / alloc[i], at most 1) is one common level, each alloc[i] lies in
 * [min_pages, max_pages], and they add up to avail_pages.  When the max
 * pages fit in avail_pages every VM gets its max; when the reservations
 * alone do not, every VM gets its reservation; a VM without shares gets
 * its reservation, and the others at most their max.  O(n) per step of GSL's
 * Brent root finder.  Returns 0, or -SIM_ERANGE if the finder failed.
 */
int esx_idle_tax_allocate(const struct esx_tax_vm *vms, size_t n, double avail_pages, double k,
			  double *alloc);

#endif /* BALLOON_ESX_IDLE_TAX_H */
