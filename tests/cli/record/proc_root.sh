#!/bin/sh
# Files read on a process's behalf stay inside its root.  A process chroot'ed into a directory it
# controls maps two files; inside its root, one path holds an ELF file, the other an absolute
# symbolic link.  Read through /proc/PID/root, that link resolved against frec's root (here: an
# ELF file outside the jail) and its build-id went into the trace; it must resolve inside the jail.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

[ "$(id -u)" = 0 ] || skip "needs root to chroot the target"
command -v python3 > /dev/null || skip "python3 is not installed"
command -v readelf > /dev/null || skip "readelf (binutils) is not installed"
build_id() { readelf -n "$1" | awk '/Build ID/ { print $3 }'; }

jail=$T/jail
mkdir -p "$jail$T" "$T/in"
cp /bin/true "$T/outside.elf"       # frec's root only: the link aims here
cp /bin/sleep "$jail$T/in.elf"      # the jail's own file, at the mapped path inside the jail
cp /bin/sleep "$T/in.elf"
cp /bin/sleep "$T/link.elf"
outside=$(build_id "$T/outside.elf")
inside=$(build_id "$jail$T/in.elf")
[ -n "$outside" ] && [ -n "$inside" ] && [ "$outside" != "$inside" ] || skip "no distinct build-ids in /bin/true and /bin/sleep"

# Map both files executable, enter the jail, plant the link where the second one was mapped, wait.
pid=
trap '[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true; rm -rf "$T"' EXIT
python3 -c '
import mmap, os, sys, time
jail, a, b, aim = sys.argv[1:5]
files = [open(p, "rb") for p in (a, b)]
maps = [mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC) for f in files]
os.chroot(jail)
os.chdir("/")
os.symlink(aim, b)
print("ready", flush=True)
time.sleep(600)
' "$jail" "$T/in.elf" "$T/link.elf" "$T/outside.elf" > "$T/ready" &
pid=$!
i=0
until grep -q ready "$T/ready"; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "the target did not get ready"
	sleep 0.05
done

expect 0 "$FREC" record -q -p "$pid" -d 0.2 -o "$T/t.zst"
"$FREC" dump -i "$T/t.zst" > "$T/dump"
grep -q "MMAP2 .* build-id $inside .*$T/in.elf\$" "$T/dump" ||
	fail "the jail's own file was not read through its root: $(grep "$T/in.elf" "$T/dump")"
grep -q "MMAP2 .*$T/link.elf\$" "$T/dump" || fail "no mapping of $T/link.elf"
grep -q "build-id $outside" "$T/dump" && fail "a link in the jail led frec to a file outside it: $(grep "$T/link.elf" "$T/dump")"
exit 0
