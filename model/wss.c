/*
 * wss.c - access patterns.
 *
 * Zipf draws use rejection-inversion (Hormann and Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions",
 * 1996): invert the integral of the continuous hat k^-s, round, and accept
 * with a test that is almost always true, so a draw costs about one
 * uniform, one exp and one log, whatever the number of pages.
 *
 * In the dense regime (at least as many touches as pages) the number of
 * touches on page k is Poisson with mean n*q_k, so page k is visited with
 * probability 1 - exp(-n*q_k); uniform regions skip ahead geometrically.
 */
#include "wss.h"

#include <gsl/gsl_randist.h>
#include <math.h>

/* (exp(x) - 1) / x, and log(1 + x) / x, both 1 at 0. */
static double expm1_over(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x / 2;
}

static double log1p_over(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x / 2;
}

/* The integral of the hat x^-s from 1 to x (up to a constant). */
static double hat_integral(double s, double x)
{
	double lx = log(x);

	return expm1_over((1.0 - s) * lx) * lx;
}

static double hat(double s, double x)
{
	return exp(-s * log(x));
}

static double hat_integral_inverse(double s, double y)
{
	double t = y * (1.0 - s);

	if (t < -1.0)
		t = -1.0;
	return exp(log1p_over(t) * y);
}

/* Sum of k^-s for k = 1..n: exact for the first terms, then the midpoint
 * rule on x^-s, whose error falls like the second derivative. */
static double zipf_norm(double s, uint32_t n)
{
	uint32_t k, head = n < 256 ? n : 256;
	double sum = 0;

	for (k = 1; k <= head; k++)
		sum += pow((double)k, -s);
	if (n > head) {
		double a = head + 0.5, b = n + 0.5;

		sum += fabs(s - 1.0) < 1e-12 ? log(b / a)
					     : (pow(b, 1.0 - s) - pow(a, 1.0 - s)) / (1.0 - s);
	}
	return sum;
}

void wss_set(struct wss *w, const struct phase *p, uint32_t pages)
{
	uint64_t pos = w->scan_pos;

	*w = (struct wss){0};
	w->pattern = p->pattern;
	w->rate = p->rate;
	w->writes = p->writes;
	w->skew = p->skew;
	w->hot_probability = p->hot_probability;
	w->pages = pages;
	w->scan_pos = pages ? pos % pages : 0;
	if (p->pattern == PATTERN_HOTCOLD) {
		double hot = floor(p->hot_fraction * pages + 0.5);

		w->hot_pages = (uint32_t)(hot > pages ? pages : hot);
		/* With no hot or no cold pages every touch falls on the one part
		 * left, evenly: that is a uniform pattern. */
		if (w->hot_pages == 0 || w->hot_pages == pages)
			w->pattern = PATTERN_UNIFORM;
	}
	if (p->pattern == PATTERN_ZIPF && pages) {
		w->zipf_s = p->skew;
		w->zipf_norm = zipf_norm(p->skew, pages);
		w->zipf_hx1 = hat_integral(p->skew, 1.5) - 1.0;
		w->tail_hx1 = 0;
		w->zipf_hn = hat_integral(p->skew, pages + 0.5);
		w->zipf_squeeze = 2.0 - hat_integral_inverse(p->skew, hat_integral(p->skew, 2.5) -
								   hat(p->skew, 2.0));
	}
}

uint64_t wss_touches(const struct wss *w, gsl_rng *r, int64_t tick_ns)
{
	double x = w->rate * (double)tick_ns / 1e9;
	double whole = floor(x);

	if (!w->pages || !(x > 0))
		return 0;
	return (uint64_t)whole + (gsl_rng_uniform(r) < x - whole);
}

/* Prepares the tail from..pages (1-based ranks): its mass and bound. */
static void set_tail(struct wss *w, uint32_t from)
{
	double s = w->zipf_s;

	if (w->tail_from == from && w->tail_hx1 != 0)
		return;
	w->tail_from = from;
	w->tail_mass = from <= 1 ? 1.0 : 1.0 - zipf_norm(s, from - 1) / w->zipf_norm;
	if (w->tail_mass < 0)
		w->tail_mass = 0;
	w->tail_hx1 = hat_integral(s, from + 0.5) - hat(s, from);
}

uint32_t wss_zipf(struct wss *w, gsl_rng *r, uint32_t from)
{
	double s = w->zipf_s;

	set_tail(w, from);
	for (;;) {
		double u = w->zipf_hn + gsl_rng_uniform(r) * (w->tail_hx1 - w->zipf_hn);
		double x = hat_integral_inverse(s, u);
		double k = floor(x + 0.5);

		if (k < from)
			k = from;
		else if (k > w->pages)
			k = w->pages;
		/* The squeeze accepts most draws without evaluating the test. */
		if (k - x <= w->zipf_squeeze || u >= hat_integral(s, k + 0.5) - hat(s, k))
			return (uint32_t)k;
	}
}

/* Visits each page of [lo, lo + len) once with probability p, skipping
 * ahead geometrically. */
static void visit_each(gsl_rng *r, uint32_t lo, uint32_t len, double p, wss_visit_fn *visit,
		       void *ctx)
{
	int64_t pos;
	uint32_t i;

	if (!len || !(p > 0))
		return;
	if (p > 1.0 - 1e-12) {
		for (i = 0; i < len; i++)
			visit(ctx, lo + i);
		return;
	}
	for (pos = -1;;) {
		pos += gsl_ran_geometric(r, p);
		if (pos >= (int64_t)len)
			break;
		visit(ctx, lo + (uint32_t)pos);
	}
}

/* n touches spread uniformly over [lo, lo + len). */
static void draw_uniform(gsl_rng *r, uint32_t lo, uint32_t len, uint64_t n,
			 wss_visit_fn *visit, void *ctx)
{
	uint64_t i;

	if (!len || !n)
		return;
	if (n < len) {
		for (i = 0; i < n; i++)
			visit(ctx, lo + (uint32_t)gsl_rng_uniform_int(r, len));
		return;
	}
	visit_each(r, lo, len, -expm1(-(double)n / len), visit, ctx);
}

/*
 * Only the touches past the first `hits` pages matter: their number is
 * binomial with the tail's share of the mass, and each is a zipf draw
 * truncated to the tail.
 */
static void draw_zipf(struct wss *w, gsl_rng *r, uint64_t n, uint32_t hits, wss_visit_fn *visit,
		      void *ctx)
{
	uint64_t i, m;
	uint32_t k;

	if (w->zipf_s == 0) {
		draw_uniform(r, 0, w->pages, n, visit, ctx);
		return;
	}
	if (hits >= w->pages)
		return;
	if (n < w->pages) {
		set_tail(w, hits + 1);
		m = hits ? gsl_ran_binomial(r, w->tail_mass,
					    (unsigned)(n > UINT32_MAX ? UINT32_MAX : n))
			 : n;
		for (i = 0; i < m; i++)
			visit(ctx, wss_zipf(w, r, hits + 1) - 1);
		return;
	}
	for (k = hits + 1; k <= w->pages; k++) {
		double q = pow((double)k, -w->zipf_s) / w->zipf_norm;

		if (gsl_rng_uniform(r) < -expm1(-(double)n * q))
			visit(ctx, k - 1);
	}
}

void wss_draw(struct wss *w, gsl_rng *r, uint64_t n, uint32_t hits_below, wss_visit_fn *visit,
	      void *ctx)
{
	uint64_t hot, i, m;

	if (!w->pages || !n)
		return;
	switch (w->pattern) {
	case PATTERN_UNIFORM:
		draw_uniform(r, 0, w->pages, n, visit, ctx);
		break;
	case PATTERN_ZIPF:
		draw_zipf(w, r, n, hits_below, visit, ctx);
		break;
	case PATTERN_HOTCOLD:
		if (n >= w->pages) {
			/* Dense: each part's pages by the Poisson chance of a touch. */
			uint32_t cold = w->pages - w->hot_pages;

			visit_each(r, 0, w->hot_pages,
				   -expm1(-(double)n * w->hot_probability / w->hot_pages), visit,
				   ctx);
			visit_each(r, w->hot_pages, cold,
				   -expm1(-(double)n * (1 - w->hot_probability) / cold), visit,
				   ctx);
			break;
		}
		hot = gsl_ran_binomial(r, w->hot_probability, (unsigned)n);
		draw_uniform(r, 0, w->hot_pages, hot, visit, ctx);
		draw_uniform(r, w->hot_pages, w->pages - w->hot_pages, n - hot, visit, ctx);
		break;
	case PATTERN_SEQUENTIAL:
		m = n < w->pages ? n : w->pages;
		for (i = 0; i < m; i++) {
			visit(ctx, (uint32_t)w->scan_pos);
			w->scan_pos = (w->scan_pos + 1) % w->pages;
		}
		/* Touches past one lap land on pages already visited. */
		w->scan_pos = (w->scan_pos + (n - m)) % w->pages;
		break;
	}
}

bool wss_is_sparse(const struct wss *w, uint64_t n)
{
	return n < w->pages && w->pattern != PATTERN_SEQUENTIAL;
}

uint64_t wss_sparse_count(struct wss *w, gsl_rng *r, uint64_t n, uint32_t hits_below)
{
	unsigned nn = (unsigned)(n > UINT32_MAX ? UINT32_MAX : n);

	if (w->pattern != PATTERN_ZIPF || w->zipf_s == 0 || !hits_below)
		return n;
	if (hits_below >= w->pages)
		return 0;
	set_tail(w, hits_below + 1);
	return gsl_ran_binomial(r, w->tail_mass, nn);
}

uint32_t wss_sparse_next(struct wss *w, gsl_rng *r, uint32_t hits_below)
{
	switch (w->pattern) {
	case PATTERN_ZIPF:
		if (w->zipf_s != 0)
			return wss_zipf(w, r, hits_below + 1) - 1;
		break;
	case PATTERN_HOTCOLD:
		if (gsl_rng_uniform(r) < w->hot_probability || w->hot_pages == w->pages)
			return (uint32_t)gsl_rng_uniform_int(r, w->hot_pages);
		return w->hot_pages + (uint32_t)gsl_rng_uniform_int(r, w->pages - w->hot_pages);
	case PATTERN_UNIFORM:
	case PATTERN_SEQUENTIAL:
		break;
	}
	return (uint32_t)gsl_rng_uniform_int(r, w->pages);
}

double wss_page_rate(const struct wss *w, uint32_t d)
{
	if (!w->pages || d >= w->pages)
		return 0.0;
	switch (w->pattern) {
	case PATTERN_UNIFORM:
	case PATTERN_SEQUENTIAL:
		return w->rate / w->pages;
	case PATTERN_ZIPF:
		if (w->zipf_s == 0)
			return w->rate / w->pages;
		return w->rate * pow((double)d + 1.0, -w->zipf_s) / w->zipf_norm;
	case PATTERN_HOTCOLD:
		if (d < w->hot_pages)
			return w->rate * w->hot_probability / w->hot_pages;
		return w->rate * (1.0 - w->hot_probability) / (w->pages - w->hot_pages);
	}
	return 0.0;
}
