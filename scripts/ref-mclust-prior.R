# Reference trajectories of mclust's MAP EM with its default conjugate
# prior (priorControl(), defaultPrior: Fraley and Raftery 2007), for
# gmm's --prior conjugate: from the responsibilities z0 of
# tests/ref/mclust (../shared/ref/mclust), the parameters after t = 1, 2,
# 5 and 50 M-steps of me(prior =) (inner iterations to 1e-12), and the
# log-likelihood of each (estep(): the
# likelihood at the MAP estimate, which BIC uses), for every model that
# mclust offers with a prior.  t = 1 is me() with one iteration, not
# mstep(): with a prior, mclust's mstep() (the Fortran ms*p) differs from
# the M-step inside its EM (me*p) for EEI, EVI and EEV, and it is the EM's
# that Mclust() and mclustBIC() fit with.  Also the prior itself, as defaultPrior
# gives it.  null where mclust returned no model (NA).  A reference
# script: make check never runs R.
#
#   Rscript scripts/ref-mclust-prior.R tests/ref tests/ref/mclust-prior
suppressMessages(library(mclust))
a <- commandArgs(TRUE)
ref <- a[1]
out <- a[2]
num1 <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)
num <- function(v) paste0("[", paste(sapply(v, num1), collapse = ", "), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, num), collapse = ", "), "]")
params <- function(p, d, G, model) {
	sig <- p$variance$sigma
	if (d == 1) sig <- array(rep_len(p$variance$sigmasq, G), c(1, 1, G))
	if (is.null(sig)) sig <- array(p$variance$Sigma, c(d, d, G))
	covs <- paste0("[", paste(sapply(seq_len(G), function(k)
	    mat(matrix(sig[, , k], d, d))), collapse = ", "), "]")
	sprintf("{\"weights\": %s, \"means\": %s, \"covariances\": %s",
	    num(p$pro), mat(t(matrix(p$mean, d, G))), covs)
}
# faithful1: faithful's waiting column alone, with mclust's
# one-dimensional E and V
for (name in c("faithful", "iris", "synth_gmm4_d5", "faithful1")) {
	models <- if (name == "faithful1") c("E", "V") else c("EII", "VII",
	    "EEI", "VEI", "EVI", "VVI", "EEE", "EEV", "VEV", "VVV")
	file <- if (name == "faithful1") "faithful" else name
	X <- as.matrix(read.csv(file.path(ref, "data", paste0(file, ".csv"))))
	if (name == "faithful1") X <- X[, 2, drop = FALSE]
	z0 <- as.matrix(read.csv(file.path(ref, "mclust",
	    paste0(file, ".z0.csv"))))
	n <- nrow(X); d <- ncol(X); G <- ncol(z0)
	for (model in models) {
		pr <- defaultPrior(if (d == 1) X[, 1] else X, G, model)
		steps <- character(0)
		for (t in c(1, 2, 5, 50)) {
			fit <- me(if (d == 1) X[, 1] else X, model, z = z0,
			    prior = priorControl(),
			    control = emControl(tol = c(0, 1e-12),
			    itmax = c(t, 1e6)))
			ll <- estep(if (d == 1) X[, 1] else X, model,
			    fit$parameters)$loglik
			steps <- c(steps, sprintf("\"%d\": %s, \"loglik\": %s}",
			    t, params(fit$parameters, d, G, model), num1(ll)))
		}
		sc <- if (length(pr$scale) == 1) sprintf("%.17g", pr$scale)
		    else mat(pr$scale)
		cat(sprintf(paste0("{\"dataset\": \"%s\", \"model\": \"%s\", ",
		    "\"G\": %d, \"n\": %d, \"d\": %d,\n \"prior\": {",
		    "\"shrinkage\": %.17g, \"mean\": %s, \"dof\": %.17g, ",
		    "\"scale\": %s},\n \"after\": {%s}}\n"), name, model, G,
		    n, d, pr$shrinkage, num(pr$mean), pr$dof, sc,
		    paste(steps, collapse = ",\n  ")),
		    file = file.path(out, sprintf("%s_%s.expected.json", name,
		    model)))
	}
}
