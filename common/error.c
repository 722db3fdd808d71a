// SPDX-License-Identifier: MIT
/*
 * Error messages for errno values and frec's own FREC_E_* codes.
 */
#include <string.h>

#include "frec/error.h"

static const char *const frec_messages[] = {
#define FREC_E_MSG(name, msg) [FREC_E_##name - FREC_E_BASE - 1] = msg,
	FREC_ERRORS(FREC_E_MSG)
#undef FREC_E_MSG
};

const char *frec_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err > FREC_E_BASE && err < FREC_E_MAX)
		return frec_messages[err - FREC_E_BASE - 1];
	/* strerror() is not guaranteed thread-safe; strerrordesc_np() returns a static string. */
	const char *msg = strerrordesc_np(err);
	return msg ? msg : "unknown error";
}
