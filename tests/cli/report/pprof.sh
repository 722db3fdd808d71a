#!/bin/sh
# frec report --pprof read by the real consumer: `go tool pprof -top` agrees with frec's own text
# report on the shares of the top functions, -traces shows the stacks leaf first with the inline
# chain, -tags the per-thread labels, -raw the main binary's build-id; `protoc --decode` reads it
# against pprof's own profile.proto (golang-github-google-pprof-dev) or, without it, frec's.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
command -v go >/dev/null || skip "go is not installed (Debian: golang-go): go tool pprof reads the export"
command -v protoc >/dev/null || skip "protoc is not installed (Debian: protobuf-compiler)"
require_perf
export GOCACHE="$T/gocache" HOME="$T"

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
expect 0 "$FREC" record -F 999 -o "$T/t.zst" -- "$demo" -d 2 -c 1 -t 1
expect 0 "$FREC" report -i "$T/t.zst" --top 8
cp "$T/out" "$T/text"
expect 0 "$FREC" report -i "$T/t.zst" --pprof "$T/p.pb.gz"
grep_err "wrote $T/p.pb.gz"
gzip -t "$T/p.pb.gz" || fail "not gzip"
expect 0 go tool pprof -top -nodefraction=0 "$T/p.pb.gz"
cp "$T/out" "$T/top"
grep -q '^Type: cpu' "$T/top" || fail "pprof does not show CPU time: $(head "$T/top")"

# The self shares of frec's top functions, and pprof's flat% of the same functions.
awk '/^top functions by self/ { on = 1; next } on && /^$/ { exit } on && $1 ~ /%$/ && $2 ~ /^[0-9,]+$/ { print $4, $1 }' "$T/text" > "$T/frec.self"
[ "$(wc -l < "$T/frec.self")" -ge 5 ] || fail "frec's report has too few functions: $(cat "$T/text")"
head -n 5 "$T/frec.self" | while read -r fn share; do
	got=$(awk -v fn="$fn" '$6 == fn && NF == 6 { print $2; exit }' "$T/top")
	[ -n "$got" ] || fail "go tool pprof -top lacks $fn: $(cat "$T/top")"
	awk -v a="${share%\%}" -v b="${got%\%}" 'BEGIN { d = a - b; exit !(d < 0.02 && d > -0.02) }' ||
		fail "$fn: frec $share, pprof $got"
done

# Stacks leaf first: child_crunch is called by main.
expect 0 go tool pprof -traces "$T/p.pb.gz"
awk '/child_crunch$/ { getline n; if (n ~ /main$/) ok = 1 } END { exit !ok }' "$T/out" ||
	fail "no trace of child_crunch called by main: $(head -40 "$T/out")"

# The main binary is the first mapping, with its build-id.
bid=$(LC_ALL=C readelf -n "$demo" | sed -n 's/.*Build ID: *//p')
[ -n "$bid" ] || fail "frec-demo has no build-id"
expect 0 go tool pprof -raw "$T/p.pb.gz"
grep -q "$bid" "$T/out" || fail "build-id $bid not among the mappings: $(sed -n '/^Mappings/,$p' "$T/out")"
expect 0 go tool pprof -top "$T/p.pb.gz"
grep_out '^File: frec-demo$'

# Per thread: a label per thread.
expect 0 "$FREC" report -i "$T/t.zst" --pprof "$T/t.pb.gz" --per-thread
expect 0 go tool pprof -tags "$T/t.pb.gz"
[ "$(grep -c 'frec-demo \[[0-9]*\]' "$T/out")" -ge 3 ] || fail "fewer than 3 thread labels: $(cat "$T/out")"

# protoc reads the message against pprof's own description of the format when it is installed.
proto=/usr/share/gocode/src/github.com/google/pprof/proto/profile.proto
[ -r "$proto" ] || proto="$FREC_TEST_SRCDIR/../render/pprof.proto"
gzip -dc "$T/p.pb.gz" > "$T/p.pb"
protoc --proto_path="$(dirname "$proto")" --decode=perftools.profiles.Profile "$(basename "$proto")" < "$T/p.pb" > "$T/decoded" ||
	fail "protoc cannot decode the profile against $proto"
head -n 40 "$T/decoded" | grep -q 'location_id' || fail "no sample in $(head "$T/decoded")"
grep -q '^string_table: ""$' "$T/decoded" || fail "the string table does not start with \"\""
grep -q "has_functions: true" "$T/decoded" || fail "mappings are not marked symbolized"
grep -q "^string_table: \"$bid\"$" "$T/decoded" || fail "no build-id string $bid"

# Folded stacks carry no time: samples only.
printf 'main;a 3\nmain;b 1\n' > "$T/in.folded"
expect 0 "$FREC" report -i "$T/in.folded" --pprof "$T/f.pb.gz"
expect 0 go tool pprof -top "$T/f.pb.gz"
grep_out '^Type: samples'
grep_out ' 3 +75\.00% +75\.00% +3 +75\.00% +a$'

# A diff as go tool pprof -diff_base builds it: the change, relative to the baseline's total.
printf 'main;a 3\nmain;c 2\n' > "$T/after.folded"
expect 0 "$FREC" diff "$T/in.folded" "$T/after.folded" --pprof "$T/d.pb.gz"
expect 0 go tool pprof -top "$T/d.pb.gz"
grep_out ' 2 +50\.00% .* c$'
grep_out ' -1 +-?25\.00% .* b$'
expect 0 go tool pprof -tags "$T/d.pb.gz"
grep_out 'pprof::base'

# Binary output never goes to a terminal; the output is never an input.
expect 2 script -qec "'$FREC' report -i '$T/in.folded' --pprof -" /dev/null
expect 1 "$FREC" report -i "$T/in.folded" --pprof "$T/in.folded"
grep_err 'refusing to write'
exit 0
