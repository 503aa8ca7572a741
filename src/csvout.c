#include "csvout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int
gmm_csvout_format(char *buf, double v)
{
	int len = 0;

	if (isnan(v))
		return snprintf(buf, GMM_NUMBER_MAX, "nan");
	if (isinf(v))
		return snprintf(buf, GMM_NUMBER_MAX, v < 0 ? "-inf" : "inf");
	/* 17 digits always round-trip; fewer are tried for readability */
	for (int prec = 15; prec <= 17; prec++) {
		len = snprintf(buf, GMM_NUMBER_MAX, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return len;
}

void
gmm_csvout_number(FILE *f, double v)
{
	char buf[GMM_NUMBER_MAX];
	int len = gmm_csvout_format(buf, v);

	fwrite(buf, 1, (size_t)len, f);
}

void
gmm_csvout_field(FILE *f, const char *s, char delim)
{
	if (strchr(s, delim) == NULL && strpbrk(s, "\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
