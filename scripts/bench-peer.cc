// bench-peer: the C and C++ peers of scripts/bench, VLFeat's GMM
// (diagonal covariances) and Armadillo's gmm_diag / gmm_full, run from the
// same starting parameters as gmm, with a fixed number of EM iterations.
//
//   build/bench-peer vlfeat|armadillo CSV INIT_JSON RUNS ITERS THREADS
//
// INIT_JSON is `gmm show --json` of the starting model.  Prints the median
// over RUNS of the seconds per EM iteration, (time of 1 + ITERS - time of
// 1) / ITERS, the CSV read left out, as scripts/bench does for gmm and
// scikit-learn.  VLFeat stops early once the relative change of the
// log-likelihood is below 1e-5, so its iteration is timed as the
// difference of a run of one iteration and a run of none, ITERS times.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <armadillo>
#include <jansson.h>
extern "C" {
#include <vl/generic.h>
#include <vl/gmm.h>
}

struct start {
	size_t k, d;
	std::string type;
	std::vector<double> weights, means, covs;	// covs as gmm holds them
};

static void
die(const char *msg)
{
	fprintf(stderr, "bench-peer: %s\n", msg);
	exit(1);
}

static void
flatten(json_t *v, std::vector<double> &out)
{
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			flatten(json_array_get(v, i), out);
	} else {
		out.push_back(json_number_value(v));
	}
}

static start
read_start(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	start s;

	if (j == NULL)
		die("cannot read the start model");
	s.k = json_integer_value(json_object_get(j, "k"));
	s.d = json_integer_value(json_object_get(j, "d"));
	s.type = json_string_value(json_object_get(j, "covariance_type"));
	flatten(json_object_get(j, "weights"), s.weights);
	flatten(json_object_get(j, "means"), s.means);
	flatten(json_object_get(j, "covariances"), s.covs);
	json_decref(j);
	return s;
}

// rows of numbers after a header line, row-major
static std::vector<double>
read_csv(const char *path, size_t d, size_t *n)
{
	FILE *f = fopen(path, "r");
	std::vector<double> x;
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL || getline(&line, &cap, f) < 0)
		die("cannot read the CSV file");
	while (getline(&line, &cap, f) > 0) {
		char *p = line;

		for (size_t j = 0; j < d; j++) {
			x.push_back(strtod(p, &p));
			p += *p == ',';
		}
	}
	free(line);
	fclose(f);
	*n = x.size() / d;
	return x;
}

static double
now()
{
	return std::chrono::duration<double>(
	    std::chrono::steady_clock::now().time_since_epoch()).count();
}

// seconds of vl_gmm_em() from the start with at most `iters` iterations:
// it runs iters E and M steps, then one more E step (and may stop early,
// on a relative log-likelihood change below 1e-5, but not before that
// last E step when iters is 0 or 1)
static double
vlfeat_run(const start &s, const std::vector<double> &x, size_t n,
    size_t iters)
{
	VlGMM *g = vl_gmm_new(VL_TYPE_DOUBLE, s.d, s.k);
	double t0;

	vl_gmm_set_max_num_iterations(g, iters);
	vl_gmm_set_covariance_lower_bound(g, 1e-6);
	vl_gmm_set_means(g, s.means.data());
	vl_gmm_set_covariances(g, s.covs.data());
	vl_gmm_set_priors(g, s.weights.data());
	t0 = now();
	vl_gmm_em(g, x.data(), n);
	t0 = now() - t0;
	vl_gmm_delete(g);
	return t0;
}

template<typename G>
static double
arma_run(G &g, const start &s, const arma::mat &x, size_t iters)
{
	double t0 = now();

	if (!g.learn(x, s.k, arma::maha_dist, arma::keep_existing, 0, iters,
	    1e-6, false))
		die("armadillo: learn failed");
	return now() - t0;
}

static double
arma_per_iter(const start &s, const arma::mat &x, size_t iters)
{
	arma::mat means(s.means.data(), s.d, s.k);
	arma::rowvec hefts(s.weights.data(), s.k);
	double a, b;

	if (s.type == "full") {
		arma::cube fcovs(s.covs.data(), s.d, s.d, s.k);
		arma::gmm_full g1, g2;

		g1.set_params(means, fcovs, hefts);
		g2.set_params(means, fcovs, hefts);
		a = arma_run(g1, s, x, 1);
		b = arma_run(g2, s, x, 1 + iters);
	} else if (s.type == "diag") {
		arma::mat dcovs(s.covs.data(), s.d, s.k);
		arma::gmm_diag g1, g2;

		g1.set_params(means, dcovs, hefts);
		g2.set_params(means, dcovs, hefts);
		a = arma_run(g1, s, x, 1);
		b = arma_run(g2, s, x, 1 + iters);
	} else {
		die("armadillo: full and diag only");
	}
	return (b - a) / (double)iters;
}

int
main(int argc, char **argv)
{
	std::vector<double> per;
	size_t n, runs, iters;
	int threads;
	start s;

	if (argc != 7)
		die("usage: bench-peer vlfeat|armadillo CSV INIT_JSON RUNS "
		    "ITERS THREADS");
	s = read_start(argv[3]);
	runs = strtoul(argv[4], NULL, 10);
	iters = strtoul(argv[5], NULL, 10);
	threads = atoi(argv[6]);
	std::vector<double> x = read_csv(argv[2], s.d, &n);
	if (strcmp(argv[1], "vlfeat") == 0) {
		if (s.type != "diag")
			die("vlfeat: diag only");
		vl_set_num_threads(threads);
		for (size_t r = 0; r < runs; r++) {
			double a = 0, b = 0;	/* E; and E, M, E */

			for (size_t i = 0; i < iters; i++) {
				a += vlfeat_run(s, x, n, 0);
				b += vlfeat_run(s, x, n, 1);
			}
			per.push_back((b - a) / (double)iters);
		}
	} else if (strcmp(argv[1], "armadillo") == 0) {
		arma::mat xt(x.data(), s.d, n);	// one column per row

		for (size_t r = 0; r < runs; r++)
			per.push_back(arma_per_iter(s, xt, iters));
	} else {
		die("peer: vlfeat or armadillo");
	}
	std::sort(per.begin(), per.end());
	printf("%.4g\n", per[(per.size() - 1) / 2]);
	return 0;
}
