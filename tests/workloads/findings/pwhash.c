// SPDX-License-Identifier: MIT
/*
 * A login service that hashes the password on every request (crypt_r with SHA-512 crypt, through
 * libcrypt): the planted cause is validate_password -> crypt_r, about 40% of the CPU, beside the
 * service's own work.  See planted.h.
 */
#include <crypt.h>
#include <string.h>

#include "planted.h"

NOINLINE static int validate_password(const char *password, const char *stored)
{
	/* static: struct crypt_data is 32 KiB, too big for a stack a profiler copies */
	static struct crypt_data data;
	const char *h = crypt_r(password, stored, &data);

	return h && !strcmp(h, stored);
}

static char stored[128];

static void login(void)
{
	planted_sink += (uint64_t)validate_password("correct horse battery staple", stored);
}

int main(int argc, char **argv)
{
	double seconds = planted_duration(argc, argv);
	static struct crypt_data data;
	const char *h = crypt_r("correct horse battery staple", "$6$rounds=2000$Zx9uQk1s0lE3aBc7$", &data);

	if (!h || *h == '*') {
		fprintf(stderr, "pwhash: crypt_r refused SHA-512 crypt\n");
		return 1;
	}
	snprintf(stored, sizeof(stored), "%s", h);
	planted_loop(seconds, 0.40, login);
	planted_report("validate_password");
	return 0;
}
