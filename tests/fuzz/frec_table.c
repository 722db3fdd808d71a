// SPDX-License-Identifier: MIT
/*
 * The subcommand table of cli/frec.c (cli_cmd(), which cli_usage() needs), for harnesses that link
 * the CLI without its main(): frec.c is compiled here with its main() renamed.
 */
int frec_main(int argc, char **argv);

#define main frec_main
#include "../../cli/frec.c"
