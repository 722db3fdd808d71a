// SPDX-License-Identifier: MIT
/*
 * What /proc and the files on disk tell about processes that already run: /proc/PID/maps lines,
 * where a main thread's stack starts (/proc/PID/stat), and the GNU build-ids of ELF files.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frec/error.h"
#include "frec/recorder.h"
#include "recorder_internal.h"

ssize_t rec_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

uint64_t rec_proc__owner(uint32_t pid)
{
	char path[32];
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%u", pid);
	return stat(path, &sb) ? REC_OWNER_UNKNOWN : (uint64_t)sb.st_uid + 1;
}

static bool parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		if (v >> 60)
			return false;
		v = v << 4 | d;
	}
	if (s == *p)
		return false;
	*p = s;
	*out = v;
	return true;
}

static bool expect(const char **p, const char *end, char c)
{
	if (*p == end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* "PID (COMM) STATE PPID ... STARTSTACK ...": the name may hold spaces and ')', so fields are
 * counted from its last ')'; startstack is field 28, the 26th after the name. */
int rec_stat__start_stack(const char *buf, size_t len, uint64_t *out)
{
	const char *end = buf + len, *p = NULL;
	uint64_t v = 0;
	int field = 2;

	for (const char *q = buf; q < end; q++)
		if (*q == ')')
			p = q + 1;
	if (!p)
		return -FREC_E_PARSE;
	while (field < 28) {
		if (p == end || *p != ' ')
			return -FREC_E_PARSE;
		p++;
		field++;
		if (field < 28)
			while (p < end && *p != ' ')
				p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return -FREC_E_PARSE;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -FREC_E_PARSE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	/* the field must end here, not where a short read cut it */
	if (p == end || (*p != ' ' && *p != '\n') || !v)
		return -FREC_E_PARSE;
	*out = v;
	return 0;
}

/* "START-END PERMS OFFSET MAJ:MIN INODE [PATH]" */
int rec_maps__parse_line(const char *line, size_t len, struct rec_map *m)
{
	const char *p = line, *end = line + len;
	uint64_t maj, min;

	*m = (struct rec_map){ .path = "" };
	if (!parse_hex(&p, end, &m->start) || !expect(&p, end, '-') || !parse_hex(&p, end, &m->end) ||
	    !expect(&p, end, ' ') || end - p < 5 || m->end < m->start)
		return -FREC_E_PARSE;
	m->prot = (p[0] == 'r' ? PROT_READ : 0) | (p[1] == 'w' ? PROT_WRITE : 0) |
		  (p[2] == 'x' ? PROT_EXEC : 0);
	m->flags = p[3] == 's' ? MAP_SHARED : MAP_PRIVATE;
	p += 4;
	if (!expect(&p, end, ' ') || !parse_hex(&p, end, &m->pgoff) || !expect(&p, end, ' ') ||
	    !parse_hex(&p, end, &maj) || !expect(&p, end, ':') || !parse_hex(&p, end, &min) ||
	    !expect(&p, end, ' '))
		return -FREC_E_PARSE;
	m->maj = (uint32_t)maj;
	m->min = (uint32_t)min;
	/* the inode is decimal */
	if (p == end || *p < '0' || *p > '9')
		return -FREC_E_PARSE;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		m->ino = m->ino * 10 + (uint64_t)(*p - '0');
	while (p < end && *p == ' ')
		p++;
	m->path = p;
	m->path_len = (size_t)(end - p);
	return 0;
}

static int build_id_from_notes(Elf_Data *data, uint8_t id[20])
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (off < data->d_size && (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((const char *)data->d_buf + name_off, "GNU", 4) && nh.n_descsz > 0) {
			size_t n = nh.n_descsz > 20 ? 20 : nh.n_descsz;

			memcpy(id, (const char *)data->d_buf + desc_off, n);
			return (int)n;
		}
		off = next;
	}
	return 0;
}

int rec_build_id__from_elf(const void *buf, size_t len, uint8_t id[20])
{
	size_t nr_phdrs;
	int ret = 0;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)buf, len);
	if (!elf)
		return -FREC_E_PARSE;
	if (elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nr_phdrs)) {
		ret = -FREC_E_PARSE;
		goto out;
	}
	/* Program headers first: they are what the loader maps, and they survive stripping. */
	for (size_t i = 0; i < nr_phdrs && !ret; i++) {
		GElf_Phdr ph;
		Elf_Data *data;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			continue;
		data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
					    ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (data)
			ret = build_id_from_notes(data, id);
	}
	for (Elf_Scn *scn = NULL; !ret && (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data)
			ret = build_id_from_notes(data, id);
	}
out:
	elf_end(elf);
	return ret;
}
