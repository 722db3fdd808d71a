// SPDX-License-Identifier: MIT
/* placeholder */
#include "cli.h"
#include "frec/analyze.h"
#include "frec/render.h"

int cli_flame_with_findings(const struct frec_profile *p, const struct analyze_report *findings,
			    const struct render_flame_opts *opts, FILE *f)
{
	(void)findings;
	return render_flame__write(p, opts, f);
}
