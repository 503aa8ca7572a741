/*
 * check: the smallest unit-test helper.  CHECK() and CHECK_REL() print
 * file:line and the failed condition; each test program ends with
 * check_done(), which prints "N passed, N failed" and returns the status.
 */
#ifndef GMM_CHECK_H
#define GMM_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) do { \
	if (cond) { \
		check_passed++; \
	} else { \
		check_failed++; \
		fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
		    __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

/* |got - want| <= rtol |want| + atol: relative, absolute near 0. */
#define CHECK_TOL(got, want, rtol, atol, ...) do { \
	double g_ = (got), w_ = (want); \
	if (fabs(g_ - w_) <= (rtol) * fabs(w_) + (atol)) { \
		check_passed++; \
	} else { \
		check_failed++; \
		fprintf(stderr, "%s:%d: got %.17g want %.17g: ", __FILE__, \
		    __LINE__, g_, w_); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

#define CHECK_REL(got, want, rtol, ...) \
	CHECK_TOL(got, want, rtol, 0.0, __VA_ARGS__)

static int
check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
