// SPDX-License-Identifier: GPL-2.0
/* Function ranges from .eh_frame (see ehframe.h). */
#include <errno.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/ehframe.h"

/* DW_EH_PE_*: the pointer encodings of .eh_frame (LSB Core, "DWARF
 * Extensions"): the low nibble is the format, bits 4-6 the application. */
#define PE_OMIT 0xff
#define PE_FORMAT 0x0f
#define PE_APPLY 0x70
#define PE_PCREL 0x10
#define PE_INDIRECT 0x80

bool cfi_read_uint(struct cfi_cursor *c, int size, uint64_t *v)
{
	int i;

	if (c->end - c->p < size)
		return false;
	*v = 0;
	for (i = 0; i < size; i++)
		*v |= (uint64_t)c->p[c->big ? size - 1 - i : i] << (8 * i);
	c->p += size;
	return true;
}

bool cfi_read_leb(struct cfi_cursor *c, bool is_signed, uint64_t *v)
{
	unsigned int shift = 0;
	uint8_t b = 0x80;

	*v = 0;
	while (b & 0x80) {
		if (c->p >= c->end || shift >= 64)
			return false;
		b = *c->p++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	if (is_signed && shift < 64 && (b & 0x40))
		*v |= ~0ULL << shift;
	return true;
}

/* A value in format enc & PE_FORMAT (no application). */
static bool read_encoded(struct cfi_cursor *c, uint8_t enc, uint64_t *v)
{
	static const int size[16] = { [0x2] = 2, [0x3] = 4, [0x4] = 8,
				      [0xa] = 2, [0xb] = 4, [0xc] = 8 };
	int fmt = enc & PE_FORMAT, n;

	if (fmt == 0x1 || fmt == 0x9)
		return cfi_read_leb(c, fmt == 0x9, v);
	n = fmt == 0 ? c->addr_size : size[fmt];
	if (!n || !cfi_read_uint(c, n, v))
		return false;
	if (fmt >= 0x8 && n < 8 && (*v >> (8 * n - 1)) & 1) /* sign-extend */
		*v |= ~0ULL << (8 * n);
	return true;
}

/* The FDE pointer encoding a CIE announces with 'R' in a "z" augmentation. */
static int cie_fde_encoding(const Dwarf_CIE *cie, const struct cfi_cursor *base)
{
	struct cfi_cursor c = *base;
	const char *a = cie->augmentation;
	uint64_t skip;

	if (!a || a[0] != 'z')
		return 0; /* absolute pointers */
	c.p = cie->augmentation_data;
	c.end = c.p + cie->augmentation_data_size;
	for (a++; *a; a++) {
		if (*a == 'R')
			return c.p < c.end ? *c.p : -1;
		if (*a == 'P') { /* the personality routine: its encoding, then it */
			uint8_t penc;

			if (c.p >= c.end)
				return -1;
			penc = *c.p++;
			if (!read_encoded(&c, penc, &skip))
				return -1;
		} else if (*a == 'L') {
			c.p++;
		} else if (*a != 'S' && *a != 'B') {
			return -1;
		}
	}
	return 0;
}

/*
 * The highest DWARF register a CFI rule may name (x86-64's end at 130,
 * arm64's at 127). libdw sizes a frame's rules by the highest register
 * its instructions name: one naming register 33554375 made every
 * dwarf_cfi_addrframe clear 500 MB (tests/fuzz/fuzz_unwind, corpus
 * big-register), so such CFI is not read at all.
 */
#define CFI_REG_MAX 255

/* Whether the call frame instructions in [c->p, c->end) name registers up
 * to CFI_REG_MAX only, with operands that fit (enc: DW_CFA_set_loc's). */
static bool cfi_insns_ok(struct cfi_cursor *c, int enc)
{
	uint64_t reg, v;

	while (c->p < c->end) {
		uint8_t op = *c->p++;

		switch (op >> 6) {
		case 1: /* DW_CFA_advance_loc */
			continue;
		case 2: /* DW_CFA_offset: the register in the low bits, an offset */
			if (!cfi_read_leb(c, false, &v))
				return false;
			continue;
		case 3: /* DW_CFA_restore */
			continue;
		}
		reg = 0;
		switch (op) {
		case 0x00: case 0x0a: case 0x0b: case 0x2d: /* nop, remember, restore state, window */
			break;
		case 0x01: /* set_loc */
			if (!read_encoded(c, (uint8_t)(enc < 0 ? 0 : enc), &v))
				return false;
			break;
		case 0x02: case 0x03: case 0x04: /* advance_loc1, 2, 4 */
			if (!cfi_read_uint(c, op == 0x02 ? 1 : op == 0x03 ? 2 : 4, &v))
				return false;
			break;
		case 0x0e: case 0x2e: /* def_cfa_offset, GNU_args_size */
		case 0x13: /* def_cfa_offset_sf */
			if (!cfi_read_leb(c, op == 0x13, &v))
				return false;
			break;
		case 0x0f: /* def_cfa_expression: a block */
			if (!cfi_read_leb(c, false, &v) || v > (uint64_t)(c->end - c->p))
				return false;
			c->p += v;
			break;
		case 0x06: case 0x07: case 0x08: case 0x0d: /* restore_ext, undefined, same, def_cfa_register */
			if (!cfi_read_leb(c, false, &reg))
				return false;
			break;
		case 0x05: case 0x0c: case 0x14: case 0x2f: /* offset_ext, def_cfa, val_offset, neg_offset */
		case 0x09: /* register: two registers */
		case 0x11: case 0x12: case 0x15: /* offset_ext_sf, def_cfa_sf, val_offset_sf */
			if (!cfi_read_leb(c, false, &reg) ||
			    !cfi_read_leb(c, op == 0x11 || op == 0x12 || op == 0x15, &v) ||
			    (op == 0x09 && v > CFI_REG_MAX))
				return false;
			break;
		case 0x10: case 0x16: /* expression, val_expression: a register, a block */
			if (!cfi_read_leb(c, false, &reg) || !cfi_read_leb(c, false, &v) ||
			    v > (uint64_t)(c->end - c->p))
				return false;
			c->p += v;
			break;
		default:
			return false;
		}
		if (reg > CFI_REG_MAX)
			return false;
	}
	return true;
}

struct cie_enc {
	Dwarf_Off off;
	int enc;
};

static Elf_Scn *cfi_section(Elf *elf, const char *want, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (gelf_getshdr(scn, sh) &&
		    (sh->sh_type == SHT_PROGBITS || sh->sh_type == SHT_X86_64_UNWIND) &&
		    (name = elf_strptr(elf, shstrndx, sh->sh_name)) && !strcmp(name, want))
			return scn;
	}
	return NULL;
}

size_t cfi_section_size(Elf *elf, bool debug_frame)
{
	GElf_Shdr sh;

	return cfi_section(elf, debug_frame ? ".debug_frame" : ".eh_frame", &sh) ? sh.sh_size : 0;
}

static int by_fde_lo(const void *x, const void *y)
{
	const struct cfi_fde *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

int cfi_fdes(Elf *elf, bool debug_frame, struct cfi_fde **fdes, size_t *n, struct cfi_cie **cies_out,
	     size_t *ncies_out)
{
	const unsigned char *ident = (const unsigned char *)elf_getident(elf, NULL);
	struct cie_enc *cies = NULL;
	struct cfi_cie *cc = NULL;
	size_t ncies = 0, cap = 0, i;
	Dwarf_Off off = 0, next;
	struct cfi_cursor base;
	Elf_Data *d;
	GElf_Shdr sh;
	Elf_Scn *scn;

	*fdes = NULL;
	*n = 0;
	*cies_out = NULL;
	*ncies_out = 0;
	if (!ident || !(scn = cfi_section(elf, debug_frame ? ".debug_frame" : ".eh_frame", &sh)) ||
	    !(d = elf_getdata(scn, NULL)) ||
	    !d->d_buf)
		return -1;
	base = (struct cfi_cursor){ .big = ident[EI_DATA] == ELFDATA2MSB,
				.addr_size = ident[EI_CLASS] == ELFCLASS64 ? 8 : 4 };
	for (;;) {
		Dwarf_CFI_Entry e;
		struct cfi_cursor c = base;
		uint64_t lo, len, alen;
		int enc = -1;
		size_t k = 0;

		if (dwarf_next_cfi(ident, d, !debug_frame, off, &next, &e) != 0)
			break; /* the end, or an entry libdw cannot read: stop there */
		if (dwarf_cfi_cie_p(&e)) {
			struct cie_enc *g = realloc(cies, (ncies + 1) * sizeof(*g));
			struct cfi_cie *h = realloc(cc, (ncies + 1) * sizeof(*h));
			const char *a = e.cie.augmentation;

			if (g)
				cies = g;
			if (h)
				cc = h;
			if (!g || !h)
				goto nomem;
			cies[ncies] = (struct cie_enc){ off, cie_fde_encoding(&e.cie, &base) };
			cc[ncies] = (struct cfi_cie){ e.cie.initial_instructions,
						      e.cie.initial_instructions_end,
						      e.cie.code_alignment_factor,
						      e.cie.data_alignment_factor,
						      e.cie.return_address_register,
						      a && strchr(a, 'S'), a && a[0] == 'z' };
			c.p = e.cie.initial_instructions;
			c.end = e.cie.initial_instructions_end;
			if (e.cie.return_address_register > CFI_REG_MAX ||
			    !cfi_insns_ok(&c, cies[ncies].enc))
				goto bad;
			ncies++;
			off = next;
			continue;
		}
		for (i = 0; i < ncies; i++)
			if (cies[i].off == e.fde.CIE_pointer) {
				enc = cies[i].enc;
				k = i;
			}
		off = next;
		if (enc < 0 || enc == PE_OMIT || (enc & PE_INDIRECT) ||
		    ((enc & PE_APPLY) && (enc & PE_APPLY) != PE_PCREL))
			continue;
		c.p = e.fde.start;
		c.end = e.fde.end;
		if (!read_encoded(&c, (uint8_t)enc, &lo) || !read_encoded(&c, (uint8_t)enc, &len))
			continue;
		if ((enc & PE_APPLY) == PE_PCREL)
			lo += sh.sh_addr + (uint64_t)(e.fde.start - (const uint8_t *)d->d_buf);
		if (cc[k].aug_len) {
			if (!cfi_read_leb(&c, false, &alen) || alen > (uint64_t)(c.end - c.p))
				continue;
			c.p += alen;
		}
		{
			struct cfi_cursor check = c; /* the instructions stay for the rows */

			if (!cfi_insns_ok(&check, enc))
				goto bad;
		}
		if (!len || lo + len <= lo)
			continue;
		if (*n == cap) {
			struct cfi_fde *g = realloc(*fdes, (cap = cap ? 2 * cap : 32) * sizeof(*g));

			if (!g)
				goto nomem;
			*fdes = g;
		}
		(*fdes)[(*n)++] = (struct cfi_fde){ lo, lo + len, c.p, c.end, (uint32_t)k };
	}
	free(cies);
	if (*n)
		qsort(*fdes, *n, sizeof(**fdes), by_fde_lo);
	*cies_out = cc;
	*ncies_out = ncies;
	return 0;
nomem:
	free(cies);
	free(cc);
	free(*fdes);
	*fdes = NULL;
	*n = 0;
	return -1;
bad:
	free(cies);
	free(cc);
	free(*fdes);
	*fdes = NULL;
	*n = 0;
	errno = EINVAL;
	return -1;
}

int cfi_functions(Elf *elf, bool debug_frame, struct eh_func **out, size_t *n)
{
	struct cfi_fde *f;
	struct cfi_cie *c;
	size_t nf, nc, i;

	*out = NULL;
	*n = 0;
	if (cfi_fdes(elf, debug_frame, &f, &nf, &c, &nc))
		return -1;
	free(c);
	if (nf && !(*out = malloc(nf * sizeof(**out)))) {
		free(f);
		return -1;
	}
	for (i = 0; i < nf; i++)
		(*out)[i] = (struct eh_func){ f[i].lo, f[i].hi };
	*n = nf;
	free(f);
	return 0;
}

int ehframe_functions(Elf *elf, struct eh_func **out, size_t *n)
{
	return cfi_functions(elf, false, out, n);
}

int ehframe_hdr_starts(Elf *elf, uint64_t **out, size_t *n)
{
	const unsigned char *ident = (const unsigned char *)elf_getident(elf, NULL);
	struct cfi_cursor c;
	uint64_t v, count, i;
	GElf_Shdr sh;
	Elf_Data *d;
	Elf_Scn *scn;
	uint8_t ptr_enc, count_enc, table_enc;

	*out = NULL;
	*n = 0;
	if (!ident || !(scn = cfi_section(elf, ".eh_frame_hdr", &sh)) ||
	    !(d = elf_getdata(scn, NULL)) || !d->d_buf || d->d_size < 4)
		return -1;
	c = (struct cfi_cursor){ (const uint8_t *)d->d_buf, (const uint8_t *)d->d_buf + d->d_size,
				 ident[EI_DATA] == ELFDATA2MSB,
				 ident[EI_CLASS] == ELFCLASS64 ? 8 : 4 };
	ptr_enc = c.p[1];
	count_enc = c.p[2];
	table_enc = c.p[3];
	c.p += 4;
	/* version 1, and the table as linkers write it: pairs of 4-byte
	 * offsets from the section's start, sorted */
	if (((const uint8_t *)d->d_buf)[0] != 1 || ptr_enc == PE_OMIT || count_enc == PE_OMIT ||
	    (count_enc & PE_APPLY) || table_enc != 0x3b || !read_encoded(&c, ptr_enc, &v) ||
	    !read_encoded(&c, count_enc, &count) || count > (uint64_t)(c.end - c.p) / 8)
		return -1;
	if (count && !(*out = malloc(count * sizeof(**out))))
		return -1;
	for (i = 0; i < count; i++) {
		uint64_t start, fde;

		if (!read_encoded(&c, table_enc, &start) || !read_encoded(&c, table_enc, &fde))
			break;
		(*out)[i] = sh.sh_addr + start;
	}
	*n = (size_t)i;
	return 0;
}
