// SPDX-License-Identifier: MIT
/*
 * frec record: placeholder until its issue lands.
 */
#include "cli.h"

int cmd_record(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("record", "not implemented yet");
	return CLI_FAIL;
}
