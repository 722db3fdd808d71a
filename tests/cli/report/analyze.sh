#!/bin/sh
# frec report --analyze on folded stacks: text, markdown and JSON findings, the user's rules and
# context, bad options and rules, hostile names, a token budget, and the same bytes every time.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

cat > "$T/app.folded" <<'F'
_start;__libc_start_main;main;handle_login;validate_password;crypt_r;libcrypt.so.1+0x150d0 50
_start;__libc_start_main;main;handle_login;render_page 20
_start;__libc_start_main;main;handle_login;load_user 15
_start;__libc_start_main;main;handle_login;audit;compress2;deflate 15
F

# text: ranked, the responsible function named, the fix given
expect 0 "$FREC" report -i "$T/app.folded" --analyze
grep_out '^1\. known-op/password-hashing  50\.0%$'
grep_out 'validate_password spends 50\.0% of the samples in password hashing \(crypt_r\)'
grep_out '^   stack: handle_login > validate_password > crypt_r > libcrypt\.so\.1\+0x150d0$'
grep_out '^   fix: Hash only where a password is set or checked'
grep_out '^2\. hotspot  20\.0%$'
grep_out '^3\. known-op/compression  15\.0%$'
grep_out '^stack health: unknown \(folded stacks\)$'
[ ! -s "$T/err" ] || fail "stderr: $(cat "$T/err")"
cp "$T/out" "$T/text1"
expect 0 "$FREC" report -i "$T/app.folded" --analyze
cmp -s "$T/out" "$T/text1" || fail "two runs differ"
# --top limits the findings
expect 0 "$FREC" report -i "$T/app.folded" --analyze --top 1
grep_out '^1\. known-op'
grep -q '^2\.' "$T/out" && fail "--top 1 shows a second finding"
grep_out '^\(3 more findings: --top 4 shows them\)$'

# JSON: the documented schema, parsed back; --format implies --analyze
expect 0 "$FREC" report -i "$T/app.folded" --format json --context 'login endpoint, 2 s p99'
python3 - "$T/out" <<'PY' || fail "JSON findings"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "frec-findings" and d["version"] == 2, d
assert d["context"] == "login endpoint, 2 s p99"
assert d["profile"]["weight"] == 100 and d["profile"]["seconds"] is None and d["profile"]["time"] is None
assert d["profile"]["stack_health"] is None
f = d["findings"]
assert [x["rank"] for x in f] == list(range(1, len(f) + 1))
top = f[0]
assert top["kind"] == "known-op" and top["id"] == "known-op/password-hashing", top
assert top["share"] == 50.0 and top["weight"] == 50 and top["unique_share"] == 50.0
assert top["subject"]["name"] == "crypt_r"
assert top["responsible"][0]["name"] == "validate_password" and top["responsible"][0]["share"] == 50.0
assert top["stack"][:3] == ["_start", "__libc_start_main", "main"] and top["stack_trim"] == 3
assert top["why"] and top["fix"]
assert any(a["id"] == "hotspot" for a in top["also"]), top["also"]
for x in f:
    for k in ("kind", "id", "title", "summary", "share", "unique_share", "weight", "unique_weight", "seconds",
              "subject", "subject_self", "responsible", "callers", "inside", "stack", "stack_trim", "also", "why", "fix"):
        assert k in x, (k, x)
PY

# markdown: context, recording, findings, the heaviest stacks folded and trimmed
expect 0 "$FREC" report -i "$T/app.folded" --format markdown --context 'Express API, /login is slow'
grep_out '^## Profile findings: `'
grep_out '^\*\*Context \(from the user\):\*\* Express API, /login is slow$'
grep_out '^### 1\. `known-op/password-hashing` 50\.0%$'
grep_out '^- fix: Hash only where'
grep_out '^handle_login;validate_password;crypt_r;libcrypt\.so\.1\+0x150d0 50$'

# the user's rules come first and can name what the built-in ones do not
cat > "$T/my.rules" <<'R'
[op audit-trail]
title audit trail compression
threshold 1%
match compress2
why The audit trail is compressed on every login.
fix Compress audit records in batches, off the request path.
R
expect 0 "$FREC" report -i "$T/app.folded" --analyze --rules "$T/my.rules"
grep_out '^3\. known-op/audit-trail  15\.0%$'
grep_out 'audit spends 15\.0% of the samples in audit trail compression \(compress2\)'

# bad rules and options
expect 1 "$FREC" report -i "$T/app.folded" --analyze --rules "$T/none.rules"
grep_err "cannot read rules $T/none.rules"
grep_err '^hint: '
one_line_err
printf '[op x]\nmatch a\nthreshold 500%%\nwhy w\nfix f\n' > "$T/bad.rules"
expect 1 "$FREC" report -i "$T/app.folded" --analyze --rules "$T/bad.rules"
grep_err "bad.rules:3: threshold"
grep_err 'frec-findings\(7\)'
one_line_err
expect 2 "$FREC" report -i "$T/app.folded" --format yaml
grep_err "unknown format 'yaml'"
expect 2 "$FREC" report -i "$T/app.folded" --format json --folded
grep_err -- '--format is for findings'
expect 2 "$FREC" report -i "$T/app.folded" --context x --svg "$T/x.svg"
expect 2 "$FREC" report -i "$T/app.folded" --rules "$T/my.rules" --folded

# hostile names: no control byte reaches a terminal, JSON still parses
expect 0 "$FREC" report -i "$FREC_TEST_DATA/flame/hostile.folded" --analyze
! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/out" || fail "control bytes in text findings"
expect 0 "$FREC" report -i "$FREC_TEST_DATA/flame/hostile.folded" --format json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "hostile JSON does not parse"

# a large profile of long names: markdown stays within a few thousand tokens (4 bytes a token)
python3 - > "$T/big.folded" <<'PY'
import random
random.seed(7)
name = lambda i: "ns%d::Widget<std::map<std::string, std::vector<long> > >::render_%d(int, char const*)" % (i % 13, i)
for i in range(4000):
    depth = random.randint(3, 60)
    print(";".join(["main"] + [name(random.randint(0, 300)) for _ in range(depth)]), random.randint(1, 50))
PY
expect 0 "$FREC" report -i "$T/big.folded" --format markdown --context "$(head -c 5000 /dev/zero | tr '\0' x)"
size=$(wc -c < "$T/out")
[ "$size" -le 12000 ] || fail "markdown is $size bytes"
exit 0
