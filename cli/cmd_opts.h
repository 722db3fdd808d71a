/* SPDX-License-Identifier: MIT */
/*
 * The option parser of each subcommand, callable without running the command: for the option
 * fuzz harness (tests/fuzz/fuzz_opts.c).  Each <cmd>_opts__parse() allocates the command's options,
 * parses @argv (argv[0] is the subcommand's name) exactly as cmd_<cmd>() does, printing the same
 * errors and usage, and returns CLI_CONTINUE, or the exit status cmd_<cmd>() would return
 * (CLI_OK after --help, CLI_USAGE, CLI_FAIL).  *@out is set whatever the result (NULL only when it
 * could not be allocated) and released with <cmd>_opts__free(), which accepts NULL.  The structs
 * stay private to their cmd_*.c.
 */
#ifndef FREC_CMD_OPTS_H
#define FREC_CMD_OPTS_H

struct record_cli;
struct report_opts;
struct diff_cli_opts;
struct dump_opts;
struct annotate_opts;

int record_opts__parse(int argc, char **argv, struct record_cli **out);
void record_opts__free(struct record_cli *o);
int report_opts__parse(int argc, char **argv, struct report_opts **out);
void report_opts__free(struct report_opts *o);
int diff_opts__parse(int argc, char **argv, struct diff_cli_opts **out);
void diff_opts__free(struct diff_cli_opts *o);
int dump_opts__parse(int argc, char **argv, struct dump_opts **out);
void dump_opts__free(struct dump_opts *o);
int annotate_opts__parse(int argc, char **argv, struct annotate_opts **out);
void annotate_opts__free(struct annotate_opts *o);

#endif /* FREC_CMD_OPTS_H */
