// SPDX-License-Identifier: MIT
/*
 * frec report: placeholder until its issue lands.
 */
#include "cli.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("report", "not implemented yet");
	return CLI_FAIL;
}
