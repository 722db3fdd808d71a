#!/bin/sh
# SPDX-License-Identifier: MIT
# embed.sh NAME FILE: FILE as a C string constant NAME (render/flame.js, render/flame.css), with
# whole-line comments and indentation dropped to keep every graph small.  It refuses "]]>", which
# would close the CDATA section that holds the script.
set -eu
name=$1
file=$2
if grep -q ']]>' "$file"; then
	echo "embed.sh: $file contains ]]>" >&2
	exit 1
fi
printf '/* Generated from %s by render/embed.sh: do not edit. */\n' "$(basename "$file")"
printf 'extern const char %s[];\nconst char %s[] =\n' "$name" "$name"
sed -e 's/^[[:space:]]*//' -e '/^\/\//d' -e '/^\/\*.*\*\/$/d' -e '/^$/d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
	-e 's/^/"/' -e 's/$/\\n"/' "$file"
printf ';\n'
