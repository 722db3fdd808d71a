#!/bin/sh
# SPDX-License-Identifier: MIT
# embed_rules.sh FILE: the rules file FILE as the C string analyze_rules__builtin() returns, byte for
# byte, so that an uninstalled frec reads the same rules as the installed file holds.
set -eu
printf '/* Generated from %s by analyze/embed_rules.sh: do not edit. */\n' "$(basename "$1")"
printf '#include "frec/analyze.h"\n\nstatic const char rules[] =\n'
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$1"
printf ';\n\nconst char *analyze_rules__builtin(void)\n{\n\treturn rules;\n}\n'
