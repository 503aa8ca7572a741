/*
 * strtab: ids in order of first appearance, the same id for the same
 * bytes (also past the table's growth), strings compared by their length
 * (a prefix is another string), and byte-order ranks.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "base/strtab.h"

int
main(void)
{
	struct gmm_strtab t;
	size_t id;
	char buf[32];
	int same = 1;

	gmm_strtab_init(&t);
	CHECK(gmm_strtab_id(&t, "virginica", 9, &id) == 0 && id == 0,
	    "first string: id 0");
	CHECK(gmm_strtab_id(&t, "setosa", 6, &id) == 0 && id == 1,
	    "second: id 1");
	CHECK(gmm_strtab_id(&t, "virginicaXYZ", 9, &id) == 0 && id == 0,
	    "the first len bytes only: the same string");
	CHECK(gmm_strtab_id(&t, "set", 3, &id) == 0 && id == 2,
	    "a prefix is another string");
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "c%03d", 999 - i);
		CHECK(gmm_strtab_id(&t, buf, strlen(buf), &id) == 0 &&
		    id == (size_t)i + 3, "new string %d", i);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "c%03d", 999 - i);
		same &= gmm_strtab_id(&t, buf, strlen(buf), &id) == 0 &&
		    id == (size_t)i + 3;
	}
	CHECK(same && t.n == 1003, "after growth, the same ids (%zu strings)",
	    t.n);
	{
		size_t r[1003];

		CHECK(gmm_strtab_ranks(&t, r) == 0, "ranks");
		/* c000 .. c999 first, then set, setosa, virginica */
		CHECK(r[1002] == 0 && r[3] == 999 && r[2] == 1000 &&
		    r[1] == 1001 && r[0] == 1002, "byte order");
	}
	gmm_strtab_release(&t);
	CHECK(t.n == 0 && t.s == NULL, "released");
	return check_done("test_strtab");
}
