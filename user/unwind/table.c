// SPDX-License-Identifier: GPL-2.0
/* An ELF file's call frame information as rows for the BPF walker (table.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/ehframe.h"
#include "unwind/table.h"

/* DWARF register numbers of x86-64 (System V psABI, figure 3.36) */
#define REG_RBP 6
#define REG_RSP 7
#define REG_RA 16

/* rows of one FDE at most: a longer one is cut (its rest is NONE) */
#define FDE_ROWS_MAX 4096

/* The fewest rows a byte of .eh_frame gives: 0.134 (node) to 0.235 rows a
 * byte in the 30 binaries of a Debian host with the largest .eh_frame
 * (libLLVM 0.188: 949,000 rows from 5.0 MB); below all of them, so that a
 * table given up for its size would not have fitted. */
#define UNWIND_ROWS_PER_BYTE_MIN 0.12

static int push(struct unwind_table *t, const struct pp_unwind_row *r)
{
	if (t->max_rows && t->n >= t->max_rows) {
		t->over = true; /* more than the caller can take: give up */
		return -1;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;

		if (t->max_rows && cap > t->max_rows)
			cap = t->max_rows; /* never more than the caller can take */
		struct pp_unwind_row *g = realloc(t->rows, cap * sizeof(*g));

		if (!g)
			return -1;
		t->rows = g;
		t->cap = cap;
	}
	t->rows[t->n++] = *r;
	return 0;
}

/* Whether two rows say the same (their pc aside). */
static bool same_rule(const struct pp_unwind_row *a, const struct pp_unwind_row *b)
{
	return a->cfa_off == b->cfa_off && a->cfa_rule == b->cfa_rule && a->rbp_off == b->rbp_off;
}

/* Add r unless the row before it says the same; a NONE row replaces a row
 * at the same pc (an empty range). */
static int add_row(struct unwind_table *t, const struct pp_unwind_row *r)
{
	struct pp_unwind_row *last = t->n ? &t->rows[t->n - 1] : NULL;

	if (last && same_rule(last, r))
		return 0;
	if (last && last->pc == r->pc) {
		*last = *r;
		if (t->n > 1 && same_rule(&t->rows[t->n - 2], last))
			t->n--;
		return 0;
	}
	return push(t, r);
}

/* A location CFA + off as libdw gives it: DW_OP_call_frame_cfa, then
 * DW_OP_plus_uconst off unless off is 0. */
static bool cfa_plus(const Dwarf_Op *ops, size_t nops, int64_t *off)
{
	if (nops < 1 || nops > 2 || ops[0].atom != DW_OP_call_frame_cfa)
		return false;
	if (nops == 1) {
		*off = 0;
		return true;
	}
	if (ops[1].atom != DW_OP_plus_uconst)
		return false;
	*off = (int64_t)ops[1].number;
	return true;
}

/*
 * The CFA expression the linker writes for a lazy-binding PLT (binutils,
 * elf_x86_64_eh_frame_plt): rsp + 8, plus 8 once the entry has pushed its
 * relocation index, which is past byte `threshold` of each 16-byte entry:
 *   DW_OP_breg7 8; DW_OP_breg16 0; DW_OP_lit15; DW_OP_and;
 *   DW_OP_litN; DW_OP_ge; DW_OP_lit3; DW_OP_shl; DW_OP_plus
 */
static bool plt_expression(const Dwarf_Op *ops, size_t nops, int *threshold)
{
	if (nops != 9 || ops[0].atom != DW_OP_breg7 || ops[0].number != 8 ||
	    ops[1].atom != DW_OP_breg16 || ops[1].number != 0 || ops[2].atom != DW_OP_lit15 ||
	    ops[3].atom != DW_OP_and || ops[4].atom < DW_OP_lit0 || ops[4].atom > DW_OP_lit15 ||
	    ops[5].atom != DW_OP_ge || ops[6].atom != DW_OP_lit3 || ops[7].atom != DW_OP_shl ||
	    ops[8].atom != DW_OP_plus)
		return false;
	*threshold = ops[4].atom - DW_OP_lit0;
	return true;
}

/* glibc's __restore_rt: CFA = *(rsp + 160), the interrupted rsp in the
 * ucontext (and the other registers from there too). */
static bool signal_expression(const Dwarf_Op *ops, size_t nops)
{
	return nops == 2 && ops[0].atom == DW_OP_breg7 && ops[0].number == PP_SIGFRAME_RSP &&
	       ops[1].atom == DW_OP_deref;
}

/* The row of one frame state. */
static void translate(Dwarf_Frame *frame, uint64_t pc, struct pp_unwind_row *r)
{
	Dwarf_Op mem[3], *ops;
	size_t nops;
	int64_t off, cfa_off;
	Dwarf_Word cfa_reg;
	int threshold;
	bool signal = false;
	Dwarf_Addr start, end;

	memset(r, 0, sizeof(*r));
	r->pc = (uint32_t)pc;
	r->cfa_rule = PP_CFA_UNSUPPORTED;
	dwarf_frame_info(frame, &start, &end, &signal);
	if (dwarf_frame_cfa(frame, &ops, &nops) || !nops)
		return;
	if (signal || signal_expression(ops, nops)) {
		if (signal_expression(ops, nops))
			r->cfa_rule = PP_CFA_SIGNAL;
		return;
	}
	if (plt_expression(ops, nops, &threshold)) {
		r->cfa_rule = PP_CFA_PLT;
		r->cfa_off = (uint16_t)threshold;
		return;
	}
	/* register + offset: a DW_OP_bregx libdw makes of DW_CFA_def_cfa */
	if (nops != 1 || ops[0].atom != DW_OP_bregx ||
	    (ops[0].number != REG_RSP && ops[0].number != REG_RBP) ||
	    (int64_t)ops[0].number2 < 0 || (int64_t)ops[0].number2 > UINT16_MAX)
		return;
	cfa_reg = ops[0].number;
	cfa_off = (int64_t)ops[0].number2;
	/* the return address: undefined in the outermost frame, else at CFA - 8 */
	if (dwarf_frame_register(frame, REG_RA, mem, &ops, &nops))
		return;
	if (!nops && ops) {
		r->cfa_rule = PP_CFA_END;
		return;
	}
	if (!cfa_plus(ops, nops, &off) || off != -8)
		return;
	/* rbp: unchanged (same value; undefined is taken as unchanged), or saved
	 * in the frame at CFA + off */
	if (dwarf_frame_register(frame, REG_RBP, mem, &ops, &nops))
		return;
	if (nops) {
		if (!cfa_plus(ops, nops, &off) || off % 8 || off >= 0 || off < -8 * 128)
			return;
		r->rbp_off = (int8_t)(off / 8);
	}
	r->cfa_rule = cfa_reg == REG_RSP ? PP_CFA_RSP : PP_CFA_RBP;
	r->cfa_off = (uint16_t)cfa_off;
}

/* The rows of one function [lo, hi): one per range of libdw's frame states
 * (each state says up to where it holds), equal neighbours merged. */
static int add_function(struct unwind_table *t, Dwarf_CFI *cfi, uint64_t lo, uint64_t hi)
{
	uint64_t addr = lo;
	size_t k;

	for (k = 0; addr < hi && k < FDE_ROWS_MAX; k++) {
		struct pp_unwind_row r;
		Dwarf_Frame *frame;
		Dwarf_Addr start, end;

		if (dwarf_cfi_addrframe(cfi, addr, &frame)) {
			r = (struct pp_unwind_row){ .pc = (uint32_t)addr, .cfa_rule = PP_CFA_UNSUPPORTED };
			return add_row(t, &r);
		}
		translate(frame, addr, &r);
		if (dwarf_frame_info(frame, &start, &end, NULL) < 0 || end <= addr || end > hi)
			end = hi;
		free(frame);
		if (add_row(t, &r))
			return -1;
		addr = end;
	}
	return 0;
}


/* ---- .eh_frame's instructions read here, once per FDE ----
 *
 * libdw's dwarf_cfi_addrframe finds the FDE of an address in a tree and
 * runs its instructions from the start up to that address: a function of
 * k rows costs k runs and k lookups. This runs each FDE's instructions
 * once, producing its rows as it goes, with the same rules as translate
 * gives from libdw's frame states (the unit tests compare both on real
 * binaries). Only what the rows need is followed: the CFA, rbp and the
 * return address.
 */

enum { RULE_UNSPEC, RULE_UNDEF, RULE_SAME, RULE_OFFSET, RULE_OTHER };

struct reg_rule {
	int rule;
	int64_t off; /* RULE_OFFSET: saved at CFA + off */
};

struct cfa_state {
	bool expr;                /* a DWARF expression (def_cfa_expression) */
	bool set;                 /* defined at all */
	uint64_t reg;
	int64_t off;
	const uint8_t *e, *e_end; /* the expression */
	struct reg_rule rbp, ra;
};

#define STATE_STACK 16

/* One operation of a DWARF expression: its opcode and operand. */
struct expr_op {
	uint8_t atom;
	int64_t number;
};

/* The operations of expression [p, end), up to max: how many, or -1 for
 * one that is not among those the PLT's and the signal frame's use. */
static int expr_ops(const uint8_t *p, const uint8_t *end, struct expr_op *ops, int max)
{
	struct cfi_cursor c = { .p = p, .end = end }; /* little-endian, as the rows are */
	int n = 0;

	while (c.p < c.end) {
		uint8_t a = *c.p++;
		uint64_t v = 0;

		if (n == max)
			return -1;
		if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
			if (!cfi_read_leb(&c, true, &v))
				return -1;
		} else if (!(a >= DW_OP_lit0 && a <= DW_OP_lit31) && a != DW_OP_and && a != DW_OP_ge &&
			   a != DW_OP_shl && a != DW_OP_plus && a != DW_OP_deref) {
			return -1;
		}
		ops[n++] = (struct expr_op){ a, (int64_t)v };
	}
	return n;
}

/* The row of a frame state: translate's rules. */
static void state_row(const struct cfa_state *s, bool signal, uint64_t pc, struct pp_unwind_row *r)
{
	struct expr_op ops[10];
	int n;

	memset(r, 0, sizeof(*r));
	r->pc = (uint32_t)pc;
	r->cfa_rule = PP_CFA_UNSUPPORTED;
	if (!s->set)
		return;
	if (s->expr) {
		n = expr_ops(s->e, s->e_end, ops, 10);
		if (n == 2 && ops[0].atom == DW_OP_breg7 && ops[0].number == PP_SIGFRAME_RSP &&
		    ops[1].atom == DW_OP_deref) {
			r->cfa_rule = PP_CFA_SIGNAL;
			return;
		}
		if (signal || n != 9 || ops[0].atom != DW_OP_breg7 || ops[0].number != 8 ||
		    ops[1].atom != DW_OP_breg16 || ops[1].number != 0 || ops[2].atom != DW_OP_lit15 ||
		    ops[3].atom != DW_OP_and || ops[4].atom < DW_OP_lit0 ||
		    ops[4].atom > DW_OP_lit15 || ops[5].atom != DW_OP_ge ||
		    ops[6].atom != DW_OP_lit3 || ops[7].atom != DW_OP_shl || ops[8].atom != DW_OP_plus)
			return;
		r->cfa_rule = PP_CFA_PLT;
		r->cfa_off = (uint16_t)(ops[4].atom - DW_OP_lit0);
		return;
	}
	if (signal || (s->reg != REG_RSP && s->reg != REG_RBP) || s->off < 0 ||
	    s->off > UINT16_MAX)
		return;
	if (s->ra.rule == RULE_UNDEF || s->ra.rule == RULE_UNSPEC) {
		r->cfa_rule = PP_CFA_END;
		return;
	}
	if (s->ra.rule != RULE_OFFSET || s->ra.off != -8)
		return;
	if (s->rbp.rule == RULE_OFFSET) {
		if (s->rbp.off % 8 || s->rbp.off >= 0 || s->rbp.off < -8 * 128)
			return;
		r->rbp_off = (int8_t)(s->rbp.off / 8);
	} else if (s->rbp.rule == RULE_OTHER) {
		return;
	}
	r->cfa_rule = s->reg == REG_RSP ? PP_CFA_RSP : PP_CFA_RBP;
	r->cfa_off = (uint16_t)s->off;
}

static struct reg_rule *rule_of(struct cfa_state *s, uint64_t reg)
{
	return reg == REG_RBP ? &s->rbp : reg == REG_RA ? &s->ra : NULL;
}

/* Run instructions [p, end) from state *s at *loc. With t, rows are added
 * for each range [*loc, next location) inside [*loc, hi) (init: the CIE's
 * initial state, what DW_CFA_restore goes back to). 1 once past hi (or at
 * the row limit), 0 at the end of the instructions, -1 on an instruction
 * not understood (the function's rows end there with an unsupported one),
 * -2 on no memory. */
static int run_cfi(const uint8_t *p, const uint8_t *end, const struct cfi_cie *cie,
		   struct cfa_state *s, const struct cfa_state *init, uint64_t *loc, uint64_t hi,
		   struct unwind_table *t, size_t *rows)
{
	struct cfa_state stack[STATE_STACK];
	struct cfi_cursor c = { .p = p, .end = end }; /* little-endian, as the rows are */
	size_t depth = 0;

	while (c.p < c.end) {
		uint8_t op = *c.p++, low = op & 0x3f;
		uint64_t a = 0, b = 0, delta = 0;
		struct reg_rule *rr;
		bool advance = false;

		switch (op >> 6) {
		case 1: /* DW_CFA_advance_loc */
			delta = low;
			advance = true;
			break;
		case 2: /* DW_CFA_offset */
			if (!cfi_read_leb(&c, false, &b))
				return -1;
			if ((rr = rule_of(s, low)))
				*rr = (struct reg_rule){ RULE_OFFSET, (int64_t)b * cie->data_align };
			break;
		case 3: /* DW_CFA_restore */
			if (!init)
				return -1;
			if ((rr = rule_of(s, low)))
				*rr = *rule_of((struct cfa_state *)init, low);
			break;
		default:
			switch (op) {
			case DW_CFA_nop:
				break;
			case DW_CFA_advance_loc1:
			case DW_CFA_advance_loc2:
			case DW_CFA_advance_loc4:
				if (!cfi_read_uint(&c, op == DW_CFA_advance_loc1 ? 1 : op == DW_CFA_advance_loc2 ? 2 : 4,
					   &delta))
					return -1;
				advance = true;
				break;
			case DW_CFA_offset_extended:
			case DW_CFA_offset_extended_sf:
			case DW_CFA_GNU_negative_offset_extended:
			case DW_CFA_val_offset:
			case DW_CFA_val_offset_sf:
			case DW_CFA_register:
				if (!cfi_read_leb(&c, false, &a) ||
				    !cfi_read_leb(&c, op == DW_CFA_offset_extended_sf ||
							 op == DW_CFA_val_offset_sf,
					     &b))
					return -1;
				if (!(rr = rule_of(s, a)))
					break;
				if (op == DW_CFA_offset_extended)
					*rr = (struct reg_rule){ RULE_OFFSET, (int64_t)b * cie->data_align };
				else if (op == DW_CFA_offset_extended_sf)
					*rr = (struct reg_rule){ RULE_OFFSET, (int64_t)b * cie->data_align };
				else if (op == DW_CFA_GNU_negative_offset_extended)
					*rr = (struct reg_rule){ RULE_OFFSET, -(int64_t)b * cie->data_align };
				else
					*rr = (struct reg_rule){ RULE_OTHER, 0 };
				break;
			case DW_CFA_restore_extended:
			case DW_CFA_undefined:
			case DW_CFA_same_value:
				if (!cfi_read_leb(&c, false, &a))
					return -1;
				if (!(rr = rule_of(s, a)))
					break;
				if (op == DW_CFA_restore_extended) {
					if (!init)
						return -1;
					*rr = *rule_of((struct cfa_state *)init, a);
				} else {
					*rr = (struct reg_rule){ op == DW_CFA_undefined ? RULE_UNDEF : RULE_SAME, 0 };
				}
				break;
			case DW_CFA_remember_state:
				if (depth == STATE_STACK)
					return -1;
				stack[depth++] = *s;
				break;
			case DW_CFA_restore_state:
				if (!depth)
					return -1;
				*s = stack[--depth]; /* the CFA rule too, as libdw does */
				break;
			case DW_CFA_def_cfa:
			case DW_CFA_def_cfa_sf:
				if (!cfi_read_leb(&c, false, &a) || !cfi_read_leb(&c, op == DW_CFA_def_cfa_sf, &b))
					return -1;
				s->set = true;
				s->expr = false;
				s->reg = a;
				s->off = op == DW_CFA_def_cfa ? (int64_t)b : (int64_t)b * cie->data_align;
				break;
			case DW_CFA_def_cfa_register:
				if (!cfi_read_leb(&c, false, &a) || s->expr)
					return -1;
				s->set = true;
				s->reg = a;
				break;
			case DW_CFA_def_cfa_offset:
			case DW_CFA_def_cfa_offset_sf:
				if (!cfi_read_leb(&c, op == DW_CFA_def_cfa_offset_sf, &b) || s->expr)
					return -1;
				s->off = op == DW_CFA_def_cfa_offset ? (int64_t)b : (int64_t)b * cie->data_align;
				break;
			case DW_CFA_def_cfa_expression:
				if (!cfi_read_leb(&c, false, &b) || b > (uint64_t)(c.end - c.p))
					return -1;
				s->set = true;
				s->expr = true;
				s->e = c.p;
				s->e_end = c.p + b;
				c.p += b;
				break;
			case DW_CFA_expression:
			case DW_CFA_val_expression:
				if (!cfi_read_leb(&c, false, &a) || !cfi_read_leb(&c, false, &b) ||
				    b > (uint64_t)(c.end - c.p))
					return -1;
				c.p += b;
				if ((rr = rule_of(s, a)))
					*rr = (struct reg_rule){ RULE_OTHER, 0 };
				break;
			case DW_CFA_GNU_args_size:
				if (!cfi_read_leb(&c, false, &a))
					return -1;
				break;
			default: /* DW_CFA_set_loc (needs the FDE's encoding), vendor ones */
				return -1;
			}
		}
		if (!advance)
			continue;
		delta *= cie->code_align;
		if (!t || !delta)
			continue;
		if (*loc < hi) {
			struct pp_unwind_row r;

			if (*rows >= FDE_ROWS_MAX)
				return 1;
			state_row(s, cie->signal, *loc, &r);
			if (add_row(t, &r))
				return -2;
			++*rows;
		}
		*loc += delta;
		if (*loc >= hi)
			return 1;
	}
	return 0;
}

/* The rows of one .eh_frame FDE, as add_function makes them with libdw. */
static int add_fde(struct unwind_table *t, const struct cfi_cie *cie, const struct cfi_fde *f)
{
	struct cfa_state init = { .rbp = { RULE_SAME, 0 } }, s;
	uint64_t loc = f->lo;
	size_t rows = 0;
	struct pp_unwind_row r;
	int rc;

	if (run_cfi(cie->ins, cie->ins_end, cie, &init, NULL, &loc, f->hi, NULL, &rows) < 0)
		goto bad;
	s = init;
	rc = run_cfi(f->ins, f->ins_end, cie, &s, &init, &loc, f->hi, t, &rows);
	if (rc == -2)
		return -1;
	if (rc < 0)
		goto bad;
	if (rc == 0 && loc < f->hi && rows < FDE_ROWS_MAX) {
		state_row(&s, cie->signal, loc, &r);
		return add_row(t, &r);
	}
	return 0;
bad:
	r = (struct pp_unwind_row){ .pc = (uint32_t)loc, .cfa_rule = PP_CFA_UNSUPPORTED };
	return add_row(t, &r);
}

/* One FDE's range and the CFI it is read from. */
struct fde {
	uint64_t lo, hi;
	Dwarf_CFI *cfi;            /* read with libdw's interpreter, or */
	const struct cfi_fde *eh;  /* with run_cfi */
};

static int by_lo(const void *x, const void *y)
{
	const struct fde *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Add the ranges of fn (from cfi) that overlap none already in *out. */
static int add_fdes(struct fde **out, size_t *n, const struct eh_func *fn, size_t nfn,
		    Dwarf_CFI *cfi)
{
	size_t before = *n, i, lo, hi;
	struct fde *g = realloc(*out, (*n + nfn + 1) * sizeof(*g));

	if (!g)
		return -1;
	*out = g;
	for (i = 0; i < nfn; i++) {
		/* the last of the first source's ranges starting before this one ends */
		for (lo = 0, hi = before; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;

			if (g[mid].lo < fn[i].hi)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && g[lo - 1].hi > fn[i].lo)
			continue;
		g[(*n)++] = (struct fde){ fn[i].lo, fn[i].hi, cfi, NULL };
	}
	qsort(g, *n, sizeof(*g), by_lo);
	return 0;
}

static int build(Elf *elf, struct unwind_table *t, bool libdw, const bool *cancel,
		 size_t max_rows)
{
	struct eh_func *fn = NULL;
	struct fde *fdes = NULL;
	struct cfi_fde *ehf = NULL;
	struct cfi_cie *cies = NULL;
	size_t nfn = 0, nfdes = 0, i, eh = 0, nehf = 0, ncies = 0;
	uint64_t prev_hi = 0;
	Dwarf_CFI *eh_cfi = NULL, *dbg_cfi = NULL;
	Dwarf *dw = NULL;
	GElf_Ehdr ehdr;
	int rc = 0, err;

	memset(t, 0, sizeof(*t));
	t->max_rows = max_rows;
	if (!gelf_getehdr(elf, &ehdr) || ehdr.e_machine != EM_X86_64) {
		errno = ENOEXEC;
		return -1;
	}
	/* a table that cannot fit, told from .eh_frame's size before it is
	 * read (its FDEs alone take tens of bytes each) */
	if (max_rows && !libdw &&
	    (double)cfi_section_size(elf, false) * UNWIND_ROWS_PER_BYTE_MIN > (double)max_rows) {
		t->over = true;
		errno = E2BIG;
		return -1;
	}
	/* .eh_frame's FDEs, then those of .debug_frame for what it leaves out
	 * (objects built without unwind tables, with -g) */
	if (libdw) {
		if (!ehframe_functions(elf, &fn, &nfn) && nfn && (eh_cfi = dwarf_getcfi_elf(elf)) &&
		    add_fdes(&fdes, &nfdes, fn, nfn, eh_cfi))
			rc = -1;
	} else if (!cfi_fdes(elf, false, &ehf, &nehf, &cies, &ncies) && nehf) {
		if (!(fdes = malloc((nehf + 1) * sizeof(*fdes))))
			rc = -1;
		for (i = 0; !rc && i < nehf; i++)
			fdes[nfdes++] = (struct fde){ ehf[i].lo, ehf[i].hi, NULL, &ehf[i] };
	}
	eh = nfdes;
	/* about a row each at least (a heuristic: a function may share its
	 * first row with the one before, an overlapping one is left out) */
	if (!rc && max_rows && nfdes > max_rows) {
		t->over = true;
		rc = -1;
	}
	/* about 8 rows per function in the binaries of a distribution (libc
	 * 7.6, cc1 10.5): room for them at once rather than copying the rows
	 * at each doubling (no more than the caller can take) */
	if (!rc && nfdes) {
		size_t cap = max_rows && nfdes * 8 > max_rows ? max_rows : nfdes * 8;

		if ((t->rows = malloc(cap * sizeof(*t->rows))))
			t->cap = cap;
	}
	free(fn);
	fn = NULL;
	if (!rc && !cfi_functions(elf, true, &fn, &nfn) && nfn &&
	    (dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL)) && (dbg_cfi = dwarf_getcfi(dw)) &&
	    add_fdes(&fdes, &nfdes, fn, nfn, dbg_cfi))
		rc = -1;
	free(fn);
	if (rc || !nfdes || fdes[nfdes - 1].hi > UINT32_MAX) {
		errno = t->over ? E2BIG : rc ? ENOMEM : nfdes ? ERANGE : ENOENT;
		rc = -1;
	}
	for (i = 0; i < nfdes && !rc; i++) {
		struct pp_unwind_row none = { .pc = (uint32_t)fdes[i].hi, .cfa_rule = PP_CFA_NONE };

		if (cancel && !(i & 255) && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
			errno = ECANCELED;
			rc = -1;
			break;
		}
		if (fdes[i].lo < prev_hi) /* overlaps the one before: left out */
			continue;
		t->nfuncs++;
		if ((fdes[i].eh ? add_fde(t, &cies[fdes[i].eh->cie], fdes[i].eh)
				: add_function(t, fdes[i].cfi, fdes[i].lo, fdes[i].hi)) ||
		    ((i + 1 == nfdes || fdes[i + 1].lo != fdes[i].hi) && add_row(t, &none))) {
			errno = t->over ? E2BIG : ENOMEM;
			rc = -1;
		}
		prev_hi = fdes[i].hi;
	}
	err = errno; /* when rc: set above; the cleanup may change it */
	free(fdes);
	free(ehf);
	free(cies);
	if (dw)
		dwarf_end(dw); /* its CFI with it */
	if (eh_cfi)
		dwarf_cfi_end(eh_cfi);
	if (rc) {
		unwind_table_free(t);
		errno = err;
		return -1;
	}
	for (i = 0; i < t->n; i++)
		t->unsupported += t->rows[i].cfa_rule == PP_CFA_UNSUPPORTED;
	t->source = !eh ? ".debug_frame" : eh < nfdes ? ".eh_frame+.debug_frame" : ".eh_frame";
	return 0;
}

int unwind_table_build(Elf *elf, struct unwind_table *t)
{
	return build(elf, t, false, NULL, 0);
}

int unwind_table_build_cancel(Elf *elf, struct unwind_table *t, const bool *cancel,
			      size_t max_rows)
{
	return build(elf, t, false, cancel, max_rows);
}

int unwind_table_build_libdw(Elf *elf, struct unwind_table *t)
{
	return build(elf, t, true, NULL, 0);
}

const struct pp_unwind_row *unwind_table_find(const struct unwind_table *t, uint64_t vaddr)
{
	size_t lo = 0, hi = t->n;

	/* the first row past vaddr, in [lo, hi] */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].pc <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[lo - 1] : NULL;
}

size_t unwind_rows_within(size_t pool_rows)
{
	size_t n = pool_rows / 5 * 4; /* n + (n + 3) / 4 <= pool_rows, the largest */

	while (n && n + (n + 3) / 4 > pool_rows)
		n--;
	while (n + 1 + (n + 4) / 4 <= pool_rows)
		n++;
	return n;
}

int unwind_index_build(const struct unwind_table *t, struct pp_unwind_index **idx, uint32_t *nb,
		       uint32_t *base, uint8_t *shift)
{
	uint64_t lo, span, b, n;
	size_t r = 0, first = 0;
	uint8_t s = 4;

	*idx = NULL;
	if (!t->n)
		return -1;
	lo = t->rows[0].pc & ~15ULL;
	span = (uint64_t)t->rows[t->n - 1].pc - lo + 1;
	while (s < 31 && (span >> s) + 1 > (t->n + 3) / 4)
		s++;
	n = (span >> s) + 1;
	if (!(*idx = malloc(n * sizeof(**idx))))
		return -1;
	for (b = 0; b < n; b++) {
		uint64_t start = lo + (b << s), end = start + (1ULL << s);

		/* first: the last row at or before the bucket's start */
		while (first + 1 < t->n && t->rows[first + 1].pc <= start)
			first++;
		/* r: past the last row starting before the bucket's end */
		if (r < first)
			r = first;
		while (r < t->n && t->rows[r].pc < end)
			r++;
		(*idx)[b] = (struct pp_unwind_index){ (uint32_t)first, (uint32_t)(r - first) };
	}
	(*idx)[n - 1].n = (uint32_t)(t->n - (*idx)[n - 1].first); /* the last: all beyond */
	*nb = (uint32_t)n;
	*base = (uint32_t)lo;
	*shift = s;
	return 0;
}

const struct pp_unwind_row *unwind_index_find(const struct unwind_table *t,
					      const struct pp_unwind_index *idx, uint32_t nb,
					      uint32_t base, uint8_t shift, uint64_t vaddr)
{
	uint64_t b;
	uint32_t lo = 0, hi;

	if (!nb || vaddr < base)
		return NULL;
	b = (vaddr - base) >> shift;
	if (b >= nb)
		b = nb - 1;
	hi = idx[b].n;
	while (lo < hi) { /* the first of the bucket's rows past vaddr */
		uint32_t mid = (lo + hi) / 2;

		if (t->rows[idx[b].first + mid].pc <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[idx[b].first + lo - 1] : NULL;
}

void unwind_table_free(struct unwind_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
