/*
 * refmodel.h: the parameters a reference trajectory file gives after some
 * iterations (its "after" object, in gmm's JSON model schema), as a model,
 * for the tests that compare against tests/ref (test_ref, test_weights).
 * Exits with status 2 when they do not read: a broken test set-up, not a
 * failed check.
 */
#ifndef GMM_TEST_REFMODEL_H
#define GMM_TEST_REFMODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "io/modelfile.h"

/* exp's after.<iters> as a model of covariance type cov. */
static struct gmm_model *
expected_model(json_t *exp, const char *iters, const char *cov)
{
	json_t *after = json_object_get(json_object_get(exp, "after"), iters);
	json_t *obj = json_object();
	struct gmm_model *m = NULL;
	struct gmm_error err;
	char *text;

	json_object_set_new(obj, "covariance_type", json_string(cov));
	json_object_set(obj, "weights", json_object_get(after, "weights"));
	json_object_set(obj, "means", json_object_get(after, "means"));
	json_object_set(obj, "covariances",
	    json_object_get(after, "covariances"));
	text = json_dumps(obj, 0);
	if (gmm_modelfile_decode_json((unsigned char *)text, strlen(text),
	    iters, &m, &err) < 0) {
		fprintf(stderr, "expected %s: %s\n", iters, err.msg);
		exit(2);
	}
	free(text);
	json_decref(obj);
	return m;
}

#endif
