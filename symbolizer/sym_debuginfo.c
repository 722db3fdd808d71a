// SPDX-License-Identifier: MIT
/*
 * Separate debug info: found along the debug path, kept uncompressed in the cache (sym_debuginfo.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frec/error.h"
#include "sym_debuginfo.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

static bool readable(const char *dir, size_t dlen, const char *sub, size_t slen, const char *name)
{
	char buf[PATH_MAX];
	int n = snprintf(buf, sizeof(buf), "%.*s%s%.*s/%s", (int)dlen, dir, slen ? "/" : "", (int)slen, sub,
			 name);

	return n > 0 && (size_t)n < sizeof(buf) && access(buf, R_OK) == 0;
}

/*
 * Would libdwfl's search by name find a debug file for @file?  The candidates are those libdwfl.h
 * documents: for each element of @search_path (a leading + or - only sets CRC checking), an empty
 * one is the file's directory, a relative one a subdirectory of it, an absolute one a root under
 * which the file's directory and each of its trailing parts are tried, then the root itself.
 */
static bool debug_name_exists(const char *search_path, const char *file, const char *debuglink)
{
	const char *slash = strrchr(file, '/');
	const char *dir = slash ? file : ".";
	size_t dlen = slash ? (size_t)(slash - file) : 1;
	char name[NAME_MAX + 1];
	const char *e = search_path;

	if (debuglink && *debuglink == '/')
		return access(debuglink, R_OK) == 0;
	if (snprintf(name, sizeof(name), "%s%s", debuglink ? debuglink : slash ? slash + 1 : file,
		     debuglink ? "" : ".debug") >= (int)sizeof(name))
		return false;
	if (*e == '+' || *e == '-')
		e++;
	for (;;) {
		size_t elen = strcspn(e, ":");
		const char *el = e;

		if (*el == '+' || *el == '-') {
			el++;
			elen--;
		}
		if (!elen || *el != '/') {
			if (readable(dir, dlen, el, elen, name))
				return true;
		} else {
			for (const char *d = dir; d && d < dir + dlen; d = memchr(d + 1, '/', dlen - (size_t)(d + 1 - dir)))
				if (readable(el, elen, d, dlen - (size_t)(d - dir), name))
					return true;
			if (readable(el, elen, "", 0, name))
				return true;
		}
		if (!e[elen])
			return false;
		e += elen + 1;
	}
}

int sym_find_debuginfo(const char *search_path, Dwfl_Module *mod, void **userdata, const char *modname,
		       Dwarf_Addr base, const char *file, const char *debuglink, GElf_Word crc,
		       char **debuginfo_file_name)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	int fd;

	if (urls && *urls)
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file, debuglink, crc,
						    debuginfo_file_name);
	fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file, debuglink, crc, debuginfo_file_name);
	if (fd >= 0 || !file || !debug_name_exists(search_path ? search_path : SYM_DEFAULT_DEBUG_PATH, file, debuglink))
		return fd;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file, debuglink, crc, debuginfo_file_name);
}

/* Whether the file at @path has a compressed section (read from its section headers only). */
static bool has_compressed_sections(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	bool found = false;
	Elf *elf;

	if (fd < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		found = gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_COMPRESSED);
	}
	elf_end(elf);
	close(fd);
	return found;
}

static int mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			int err = -errno;

			*s = '/';
			return err;
		}
		*s = '/';
	}
	return 0;
}

/* Write @src (an Elf whose sections libdw already decompressed in memory) to @path. */
static int write_elf(Elf *src, const char *path)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	size_t nph = 0;
	Elf *dst = NULL;
	int fd, err = -FREC_E_ELF;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (!gelf_getehdr(src, &eh) || !(dst = elf_begin(fd, ELF_C_WRITE, NULL)) ||
	    !gelf_newehdr(dst, gelf_getclass(src)))
		goto out;
	if (!elf_getphdrnum(src, &nph) && nph) {
		if (!gelf_newphdr(dst, nph))
			goto out;
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(src, (int)i, &ph) || !gelf_update_phdr(dst, (int)i, &ph))
				goto out;
		}
	}
	while ((scn = elf_nextscn(src, scn))) {
		Elf_Scn *out_scn = elf_newscn(dst);
		Elf_Data *in = NULL, *od;
		GElf_Shdr sh;

		if (!out_scn || !gelf_getshdr(scn, &sh))
			goto out;
		/* what libdw did not need is still compressed: decompress it here */
		if ((sh.sh_flags & SHF_COMPRESSED) && (elf_compress(scn, 0, 0) < 0 || !gelf_getshdr(scn, &sh)))
			goto out;
		while ((in = elf_getdata(scn, in))) {
			if (!(od = elf_newdata(out_scn)))
				goto out;
			*od = *in;
		}
		if (!gelf_update_shdr(out_scn, &sh))
			goto out;
	}
	if (!gelf_update_ehdr(dst, &eh) || elf_update(dst, ELF_C_WRITE) < 0)
		goto out;
	err = 0;
out:
	if (err)
		pr_debug("cannot write %s: %s", path, elf_errmsg(-1));
	elf_end(dst);
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int sym_debuginfo__keep(Dwarf *dw, const char *debugfile, const uint8_t *build_id, size_t build_id_size,
			const char *cache_dir, const char *name)
{
	char hexid[41], path[4200], tmp[4300];
	Elf *delf;
	int fd, err;

	if (!dw || !build_id_size || build_id_size > 20 || !cache_dir || !*cache_dir)
		return 0;
	/* DWARF in the main file, or already read from the cache */
	if (!debugfile || !strncmp(debugfile, cache_dir, strlen(cache_dir)) || !has_compressed_sections(debugfile))
		return 0;
	delf = dwarf_getelf(dw);
	if (!delf)
		return 0;
	for (size_t i = 0; i < build_id_size; i++)
		sprintf(hexid + 2 * i, "%02x", build_id[i]);
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", cache_dir, hexid, hexid + 2);
	err = mkdirs(path);
	if (err)
		return err;
	/* write aside and rename, so a concurrent reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	err = write_elf(delf, tmp);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	else
		pr_info("%s: kept its debug info uncompressed in %s", name, path);
	return err;
}
