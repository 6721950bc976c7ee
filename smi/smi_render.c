// SPDX-License-Identifier: GPL-2.0-only
/*
 * tt-smi: the table model of a snapshot and its renderings. Every
 * snapshot is put into one model, two libsmartcols tables (cards and
 * processes) with all columns, and rendered from it: the human table
 * (a subset of the columns visible, by libsmartcols), JSON, CSV and the
 * Prometheus text exposition format (written here, each string encoded
 * for its format by smi_text.c: process names are anyone's choice).
 * Output is built in memory and written at once by the caller, so a
 * failure never leaves half a document behind.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsmartcols.h>

#include "smi.h"
#include "smi_cgroup.h"

/* ---- the table model ---------------------------------------------------- */

/*
 * Columns of both tables. Each has a JSON/CSV name (the header used in
 * machine formats, lower-cased by libsmartcols for JSON), a header for the
 * human table, where it shows, and its Prometheus metric, if any.
 */
enum smi_vis { SMI_BOTH, SMI_HUMAN, SMI_MACHINE };

struct smi_coldef {
	const char *name;	/* machine header; JSON key */
	const char *human;	/* human header */
	enum smi_vis vis;
	int json;		/* SCOLS_JSON_* */
	bool right;
	const char *metric;	/* Prometheus family, NULL: a label or none */
	const char *mtype;	/* its memory type label, NULL: none */
	const char *help;
	bool extra;		/* human table: shown only when -o names it */
};

enum {
	CC_CARD, CC_BUS, CC_TYPE, CC_DRAM_H, CC_DRAM_PCT, CC_BAR, CC_L1_H,
	CC_L1_PCT, CC_SYSMEM_H, CC_TOTAL0,
	CC_ALLOC0 = CC_TOTAL0 + SMI_NMEMS,
	CC_PEAK0 = CC_ALLOC0 + SMI_NTYPES,
	CC_BUFFERS = CC_PEAK0 + SMI_NTYPES, CC_FILES, CC_MATCH, CC_NCOLS,
};

#define SMI_ALLOC_HELP "Bytes of card memory live per buffer type, as runtimes report them"
#define SMI_PEAK_HELP "Highest bytes live per buffer type since the card appeared or reset_peaks"

/* [CC_ALLOC0...] and [CC_PEAK0...]: smi_render_init() */
static struct smi_coldef smi_card_cols[CC_NCOLS] = {
	[CC_CARD]	= { "CARD", "CARD", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[CC_BUS]	= { "BUS_ID", "BUS ID", SMI_BOTH, SCOLS_JSON_STRING },
	[CC_TYPE]	= { "CARD_TYPE", "TYPE", SMI_BOTH, SCOLS_JSON_STRING },
	[CC_DRAM_H]	= { "DRAM_USED_H", "DRAM USED/TOTAL", SMI_HUMAN, 0, true },
	[CC_DRAM_PCT]	= { "DRAM_PERCENT", "DRAM%", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[CC_BAR]	= { "USAGE_H", "USAGE", SMI_HUMAN, 0, .extra = true },
	[CC_L1_H]	= { "L1_USED_H", "L1 USED/TOTAL", SMI_HUMAN, 0, true },
	[CC_L1_PCT]	= { "L1_PERCENT", "L1%", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[CC_SYSMEM_H]	= { "SYSTEM_MEMORY_USED_H", "SYS MEM", SMI_HUMAN, 0, true,
			    .extra = true },
	[CC_TOTAL0 + SMI_M_DRAM] = { "DRAM_TOTAL", NULL, SMI_MACHINE,
			    SCOLS_JSON_NUMBER, true, "tenstorrent_dram_total_bytes", NULL,
			    "DRAM of the card in bytes (0: unknown)" },
	[CC_TOTAL0 + SMI_M_L1] = { "L1_TOTAL", NULL, SMI_MACHINE,
			    SCOLS_JSON_NUMBER, true, "tenstorrent_l1_total_bytes", NULL,
			    "L1 of the card in bytes, all its cores together (0: unknown)" },
	[CC_TOTAL0 + SMI_M_SYSTEM_MEMORY] = { "SYSTEM_MEMORY_TOTAL", NULL, SMI_MACHINE,
			    SCOLS_JSON_NUMBER, true, "tenstorrent_system_memory_total_bytes", NULL,
			    "Host memory the card's system memory buffers may take in bytes (0: unknown)" },
	[CC_BUFFERS]	= { "BUFFERS", "BUFFERS", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_buffers", NULL, "Live buffer records of the card",
			    .extra = true },
	[CC_FILES]	= { "OPEN_FILES", "FILES", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_open_files", NULL, "Open files of /dev/tenstorrent/N",
			    .extra = true },
	/* "true", "false", or empty: not judged */
	[CC_MATCH]	= { "PROCESSES_MATCH", NULL, SMI_MACHINE, SCOLS_JSON_BOOLEAN, false,
			    "tenstorrent_processes_match", NULL,
			    "1 when the card's process rows add up to its sysfs totals, 0 when they do not (absent: not judged)" },
};

enum {
	PC_PID, PC_USER, PC_UID, PC_COMM, PC_CONTAINER_H, PC_CARD, PC_TYPE_H0,
	PC_BUFFERS = PC_TYPE_H0 + SMI_NTYPES, PC_PEAK_H, PC_BYTES0,
	PC_PEAK0 = PC_BYTES0 + SMI_NTYPES,
	PC_CGROUP = PC_PEAK0 + SMI_NTYPES, PC_RUNTIME, PC_CONTAINER, PC_POD,
	PC_NCOLS,
};

/*
 * The types of the human table's columns PC_TYPE_H0...: tt-metal's
 * monitor's order (DRAM, L1, L1 small, trace, CB), then the rest.
 */
static const unsigned char smi_proc_human_types[SMI_NTYPES] = {
	TT_BUFFER_TYPE_DRAM, TT_BUFFER_TYPE_L1, TT_BUFFER_TYPE_L1_SMALL,
	TT_BUFFER_TYPE_TRACE, TT_BUFFER_TYPE_CB, TT_BUFFER_TYPE_KERNEL,
	TT_BUFFER_TYPE_SYSTEM_MEMORY,
};

#define SMI_PALLOC_HELP "Bytes live per buffer type in the files a process opened"
#define SMI_PPEAK_HELP "Highest bytes live per buffer type in the files a process opened"

/* [PC_BYTES0...] and [PC_PEAK0...]: smi_render_init() */
static struct smi_coldef smi_proc_cols[PC_NCOLS] = {
	[PC_PID]	= { "PID", "PID", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[PC_USER]	= { "USER", "USER", SMI_BOTH, SCOLS_JSON_STRING },
	[PC_UID]	= { "UID", NULL, SMI_MACHINE, SCOLS_JSON_NUMBER, true },
	[PC_COMM]	= { "COMM", "COMMAND", SMI_BOTH, SCOLS_JSON_STRING },
	/* shown when a row is in a container or a pod */
	[PC_CONTAINER_H] = { "CONTAINER_H", "CONTAINER", SMI_HUMAN, 0 },
	[PC_CARD]	= { "CARD", "CARD", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[PC_TYPE_H0 + 0] = { "DRAM_H", "DRAM", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 1] = { "L1_H", "L1", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 2] = { "L1_SMALL_H", "L1 SMALL", SMI_HUMAN, 0, true, .extra = true },
	[PC_TYPE_H0 + 3] = { "TRACE_H", "TRACE", SMI_HUMAN, 0, true, .extra = true },
	[PC_TYPE_H0 + 4] = { "CB_H", "CB", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 5] = { "KERNEL_H", "KERNEL", SMI_HUMAN, 0, true, .extra = true },
	[PC_TYPE_H0 + 6] = { "SYSTEM_MEMORY_H", "SYS MEM", SMI_HUMAN, 0, true, .extra = true },
	[PC_BUFFERS]	= { "BUFFERS", "BUFFERS", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_process_buffers", NULL,
			    "Live buffer records in the files a process opened" },
	[PC_PEAK_H]	= { "DRAM_PEAK_H", "DRAM PEAK", SMI_HUMAN, 0, true, .extra = true },
	/* the opener's cgroup and the ids it holds; null when none */
	[PC_CGROUP]	= { "CGROUP", "CGROUP", SMI_BOTH, SCOLS_JSON_STRING, .extra = true },
	[PC_RUNTIME]	= { "CONTAINER_RUNTIME", NULL, SMI_MACHINE, SCOLS_JSON_STRING },
	[PC_CONTAINER]	= { "CONTAINER_ID", NULL, SMI_MACHINE, SCOLS_JSON_STRING },
	[PC_POD]	= { "POD_UID", NULL, SMI_MACHINE, SCOLS_JSON_STRING },
};

/* The table of --group-by cgroup: the rows of each card and cgroup summed */
enum {
	GC_CARD, GC_CGROUP, GC_CONTAINER_H, GC_PROCS, GC_FILES, GC_BUFFERS,
	GC_TYPE_H0, GC_BYTES0 = GC_TYPE_H0 + SMI_NTYPES,
	GC_RUNTIME = GC_BYTES0 + SMI_NTYPES, GC_CONTAINER, GC_POD, GC_NCOLS,
};

#define SMI_GALLOC_HELP "Bytes live per buffer type in the files opened in a cgroup"

/* [GC_BYTES0...]: smi_render_init() */
static struct smi_coldef smi_group_cols[GC_NCOLS] = {
	[GC_CARD]	= { "CARD", "CARD", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	/* null: the files of a driver that shows no cgroup */
	[GC_CGROUP]	= { "CGROUP", "CGROUP", SMI_BOTH, SCOLS_JSON_STRING },
	[GC_CONTAINER_H] = { "CONTAINER_H", "CONTAINER", SMI_HUMAN, 0 },
	[GC_PROCS]	= { "PROCESSES", "PROCS", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_cgroup_processes", NULL,
			    "Processes (distinct pids) whose open files of the card are in the cgroup" },
	[GC_FILES]	= { "OPEN_FILES", "FILES", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_cgroup_open_files", NULL,
			    "Open files of the card opened in the cgroup", .extra = true },
	[GC_BUFFERS]	= { "BUFFERS", "BUFFERS", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_cgroup_buffers", NULL,
			    "Live buffer records in the files opened in the cgroup" },
	[GC_TYPE_H0 + 0] = { "DRAM_H", "DRAM", SMI_HUMAN, 0, true },
	[GC_TYPE_H0 + 1] = { "L1_H", "L1", SMI_HUMAN, 0, true },
	[GC_TYPE_H0 + 2] = { "L1_SMALL_H", "L1 SMALL", SMI_HUMAN, 0, true, .extra = true },
	[GC_TYPE_H0 + 3] = { "TRACE_H", "TRACE", SMI_HUMAN, 0, true, .extra = true },
	[GC_TYPE_H0 + 4] = { "CB_H", "CB", SMI_HUMAN, 0, true },
	[GC_TYPE_H0 + 5] = { "KERNEL_H", "KERNEL", SMI_HUMAN, 0, true, .extra = true },
	[GC_TYPE_H0 + 6] = { "SYSTEM_MEMORY_H", "SYS MEM", SMI_HUMAN, 0, true, .extra = true },
	[GC_RUNTIME]	= { "CONTAINER_RUNTIME", NULL, SMI_MACHINE, SCOLS_JSON_STRING },
	[GC_CONTAINER]	= { "CONTAINER_ID", NULL, SMI_MACHINE, SCOLS_JSON_STRING },
	[GC_POD]	= { "POD_UID", NULL, SMI_MACHINE, SCOLS_JSON_STRING },
};

/*
 * The columns of each buffer type in the tables: where they start, what
 * follows the type's name in theirs, their Prometheus family.
 */
static const struct {
	struct smi_coldef *cols;
	size_t first;
	const char *suffix, *metric, *help;
} smi_type_cols[] = {
	{ smi_card_cols, CC_ALLOC0, "_ALLOCATED",
	  "tenstorrent_memory_allocated_bytes", SMI_ALLOC_HELP },
	{ smi_card_cols, CC_PEAK0, "_PEAK",
	  "tenstorrent_memory_peak_bytes", SMI_PEAK_HELP },
	{ smi_proc_cols, PC_BYTES0, "",
	  "tenstorrent_process_memory_allocated_bytes", SMI_PALLOC_HELP },
	{ smi_group_cols, GC_BYTES0, "",
	  "tenstorrent_cgroup_memory_allocated_bytes", SMI_GALLOC_HELP },
	{ smi_proc_cols, PC_PEAK0, "_PEAK",
	  "tenstorrent_process_memory_peak_bytes", SMI_PPEAK_HELP },
};

#define SMI_NTYPE_COLS	(sizeof(smi_type_cols) / sizeof(smi_type_cols[0]))

/* Columns of the widest table; -o keeps column indexes in bytes */
#define SMI_MAX_COLS_ALL 64
_Static_assert(CC_NCOLS <= SMI_MAX_COLS_ALL && PC_NCOLS <= SMI_MAX_COLS_ALL &&
	       GC_NCOLS <= SMI_MAX_COLS_ALL && SMI_MAX_COLS_ALL <= SMI_MAX_COLSEL &&
	       SMI_MAX_COLSEL <= 256, "column indexes fit the -o selection");
#define SMI_COLNAME_MAX	64

/*
 * Fill in the per-type columns: each named its type's ABI name
 * (TENSTORRENT_BUFFER_TYPE_NAMES) in capitals and its suffix
 * ("DRAM_ALLOCATED"), its samples labelled with the name as is
 * (type="dram").
 */
void smi_render_init(void)
{
	static char names[SMI_NTYPE_COLS][SMI_NTYPES][SMI_COLNAME_MAX];
	size_t k, i;
	int t;

	for (k = 0; k < SMI_NTYPE_COLS; k++) {
		for (t = 0; t < SMI_NTYPES; t++) {
			const char *type = smi_type_names[t];
			char *name = names[k][t];

			for (i = 0; type[i] && i < SMI_COLNAME_MAX - 1; i++)
				name[i] = (char)toupper((unsigned char)type[i]);
			snprintf(name + i, SMI_COLNAME_MAX - i, "%s",
				 smi_type_cols[k].suffix);
			smi_type_cols[k].cols[smi_type_cols[k].first + t] =
				(struct smi_coldef){ name, NULL, SMI_MACHINE,
						     SCOLS_JSON_NUMBER, true,
						     smi_type_cols[k].metric, type,
						     smi_type_cols[k].help, false };
		}
	}
}

/*
 * v in decimal, written backwards so that its last digit is just before
 * end; returns where it starts. Most cells are numbers, and printf's
 * machinery would cost more than the rest of such a cell.
 */
static char *smi_utoa(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/*
 * "1.50 GiB"-style, or exact bytes with -b: two decimals under 10 of the
 * unit, one under 100, none above, rounded as printf("%.2f") rounds the
 * exact quotient (to the nearest, a tie to even), in integer arithmetic,
 * since a snapshot formats thousands of them.
 */
static void smi_fmt_size(char *buf, size_t len, uint64_t v, bool bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	char tmp[48], *end = tmp + sizeof(tmp), *p;
	unsigned int u = 0, shift, decimals, i;
	uint64_t mask, n, scaled, rem;
	size_t ulen;

	*--end = '\0';
	if (bytes) {
		p = smi_utoa(end, v);
		goto copy;
	}
	while (u < 5 && v >> (10 * (u + 1)))
		u++;
	ulen = strlen(unit[u]);
	end -= ulen;
	memcpy(end, unit[u], ulen);
	*--end = ' ';
	if (!u) {
		p = smi_utoa(end, v);
		goto copy;
	}
	shift = 10 * u;
	mask = (1ULL << shift) - 1;
	n = v >> shift;
	decimals = n < 10 ? 2 : n < 100 ? 1 : 0;
	for (i = 0; i < decimals; i++)
		n *= 10;
	scaled = v & mask;		/* below 2^50, times 100 fits */
	for (i = 0; i < decimals; i++)
		scaled *= 10;
	n += scaled >> shift;
	rem = scaled & mask;
	if (rem > mask / 2 + 1 || (rem == mask / 2 + 1 && (n & 1)))
		n++;
	p = end;
	for (i = 0; i < decimals; i++) {
		*--p = (char)('0' + n % 10);
		n /= 10;
	}
	if (decimals)
		*--p = '.';
	p = smi_utoa(p, n);
copy:
	ulen = strlen(p);
	if (ulen >= len)
		ulen = len - 1;
	memcpy(buf, p, ulen);
	buf[ulen] = '\0';
}

/* How full memory m of a card is, in percent; 0 when its size is unknown */
static double smi_pct(const struct smi_card *c, int m)
{
	if (!c->total[m])
		return 0.0;
	return 100.0 * (double)c->used[m] / (double)c->total[m];
}

/* The columns a format leaves out: machine ones in the human table and back */
static enum smi_vis smi_skipped(const struct smi_opts *o)
{
	return o->format == SMI_FMT_HUMAN ? SMI_MACHINE : SMI_HUMAN;
}

/* ---- -o: the columns shown ---------------------------------------------- */

static const struct {
	const char *name;	/* its JSON array, its name in --list-columns */
	struct smi_coldef *defs;
	size_t n;
} smi_tables[SMI_NTABLES] = {
	[SMI_TB_CARDS] = { "cards", smi_card_cols, CC_NCOLS },
	[SMI_TB_PROCS] = { "processes", smi_proc_cols, PC_NCOLS },
	[SMI_TB_GROUPS] = { "cgroups", smi_group_cols, GC_NCOLS },
};

/*
 * A column's name as -o takes it: a human-only column's without its "_H"
 * (DRAM_USED, DRAM: the sizes as the table shows them), another's as the
 * machine formats name it. Into buf, SMI_COLNAME_MAX bytes.
 */
static const char *smi_col_name(const struct smi_coldef *d, char *buf)
{
	size_t n = strlen(d->name);

	if (d->vis != SMI_HUMAN || n < 2 || strcmp(d->name + n - 2, "_H"))
		return d->name;
	snprintf(buf, SMI_COLNAME_MAX, "%.*s", (int)(n - 2), d->name);
	return buf;
}

/* Column i of table t as o shows it: -o's choice, else the default */
static bool smi_col_shown(const struct smi_opts *o, int t, size_t i)
{
	const struct smi_coldef *d = &smi_tables[t].defs[i];
	const struct smi_colsel *cs = &o->csel[t];
	size_t k;

	if (d->vis == smi_skipped(o))
		return false;
	for (k = 0; k < cs->n; k++)
		if (cs->col[k] == i)
			return true;
	if (cs->given && !cs->append)
		return false;
	return !(o->format == SMI_FMT_HUMAN && d->extra);
}

/* -o named columns of other tables only: table t is left out */
static bool smi_table_omitted(const struct smi_opts *o, int t)
{
	const struct smi_colsel *cs = &o->csel[t];

	return cs->given && !cs->append && !cs->n;
}

/*
 * The columns of table t o shows, in the order it shows them: -o's, or
 * the table's order with -o's "+LIST" after it. Returns how many.
 */
static size_t smi_col_order(const struct smi_opts *o, int t, unsigned char *order)
{
	const struct smi_colsel *cs = &o->csel[t];
	size_t i, k, n = 0;

	if (!cs->given || cs->append) {
		for (i = 0; i < smi_tables[t].n; i++) {
			for (k = 0; k < cs->n && cs->col[k] != i; k++)
				;
			if (k == cs->n && smi_col_shown(o, t, i))
				order[n++] = (unsigned char)i;
		}
	}
	for (k = 0; k < cs->n; k++)
		if (smi_col_shown(o, t, cs->col[k]))
			order[n++] = cs->col[k];
	return n;
}

/* The tables (bit t for table t) that have a column named name */
static unsigned int smi_tables_with(const struct smi_opts *o, const char *name)
{
	char buf[SMI_COLNAME_MAX];
	unsigned int mask = 0;
	size_t i;
	int t;

	for (t = 0; t < SMI_NTABLES; t++)
		for (i = 0; i < smi_tables[t].n; i++) {
			const struct smi_coldef *d = &smi_tables[t].defs[i];

			if (d->vis != smi_skipped(o) &&
			    !strcasecmp(smi_col_name(d, buf), name))
				mask |= 1u << t;
		}
	return mask;
}

/*
 * A name several tables have (CARD, DRAM, BUFFERS) is taken in the tables
 * that the list names a column of no other table of ("-o PID,CARD": the
 * processes' CARD), or in all of them when it names none such ("-o CARD").
 */
int smi_parse_columns(struct smi_opts *o, const char *list)
{
	char *copy, *tok, *save = NULL, buf[SMI_COLNAME_MAX];
	bool append = *list == '+';
	unsigned int named = 0, any = 0, m;
	int t, pass, ret = 0;
	size_t i;

	if (o->format == SMI_FMT_PROM) {
		smi_err("-o does not apply to --prometheus: its metrics are fixed");
		return -EINVAL;
	}
	for (t = 0; t < SMI_NTABLES; t++) {
		o->csel[t].given = true;
		o->csel[t].append = append;
	}
	for (pass = 0; pass < 2 && !ret; pass++) {
		copy = strdup(list + append);
		if (!copy)
			return -ENOMEM;
		for (tok = strtok_r(copy, ",", &save); tok && !ret;
		     tok = strtok_r(NULL, ",", &save)) {
			m = smi_tables_with(o, tok);
			if (!m) {
				smi_err("no column '%s' in this format (see --list-columns)", tok);
				ret = -EINVAL;
			} else if (!pass) {
				any |= m;
				if (!(m & (m - 1)))
					named |= m;
				continue;
			}
			for (t = 0; t < SMI_NTABLES && !ret; t++) {
				struct smi_colsel *cs = &o->csel[t];

				if (!(m & named & (1u << t)))
					continue;
				for (i = 0; i < smi_tables[t].n; i++) {
					const struct smi_coldef *d = &smi_tables[t].defs[i];
					size_t k;

					if (d->vis == smi_skipped(o) ||
					    strcasecmp(smi_col_name(d, buf), tok))
						continue;
					for (k = 0; k < cs->n && cs->col[k] != i; k++)
						;
					if (k == cs->n && cs->n < SMI_MAX_COLSEL)
						cs->col[cs->n++] = (unsigned char)i;
				}
			}
		}
		free(copy);
		if (!named)
			named = any;
	}
	return ret;
}

void smi_list_columns(struct smi_out *out, const struct smi_opts *o)
{
	char buf[SMI_COLNAME_MAX];
	size_t i;
	int t;

	smi_printf(out, "%-10s %-26s %-16s %s\n", "TABLE", "COLUMN",
		   o->format == SMI_FMT_HUMAN ? "HEADER" : "KEY", "DEFAULT");
	for (t = 0; t < SMI_NTABLES; t++) {
		for (i = 0; i < smi_tables[t].n; i++) {
			const struct smi_coldef *d = &smi_tables[t].defs[i];
			const char *k = d->human ? d->human : d->name;
			char key[SMI_COLNAME_MAX];
			size_t j;

			if (d->vis == smi_skipped(o))
				continue;
			if (o->format != SMI_FMT_HUMAN) {
				for (j = 0; d->name[j] && j < sizeof(key) - 1; j++)
					key[j] = (char)tolower((unsigned char)d->name[j]);
				key[j] = '\0';
				k = key;
			}
			smi_printf(out, "%-10s %-26s %-16s %s\n", smi_tables[t].name,
				   smi_col_name(d, buf), k,
				   o->format == SMI_FMT_HUMAN && d->extra ? "no" : "yes");
		}
	}
}

static struct libscols_table *smi_new_table(int t, const struct smi_opts *o)
{
	const struct smi_coldef *defs = smi_tables[t].defs;
	size_t ncols = smi_tables[t].n;
	struct libscols_table *tb = scols_new_table();
	bool human = o->format == SMI_FMT_HUMAN;
	size_t i;

	if (!tb)
		return NULL;
	scols_table_set_name(tb, smi_tables[t].name);
	for (i = 0; i < ncols; i++) {
		const struct smi_coldef *d = &defs[i];
		bool hidden = !smi_col_shown(o, t, i);
		int fl = (d->right ? SCOLS_FL_RIGHT : 0) | (hidden ? SCOLS_FL_HIDDEN : 0);
		struct libscols_column *cl;

		cl = scols_table_new_column(tb, human && d->human ? d->human : d->name,
					    0, fl);
		if (!cl) {
			scols_unref_table(tb);
			return NULL;
		}
		if (d->json)
			scols_column_set_json_type(cl, d->json);
	}
	return tb;
}

/*
 * One line being filled. Cells of columns the format hides are left
 * empty: with a thousand processes, formatting them would cost as much
 * as the rest of a snapshot.
 */
struct smi_row {
	struct libscols_line *ln;
	const struct smi_coldef *defs;
	enum smi_vis skip;
};

/* A string for the human table needs smi_put_human() */
static bool smi_needs_escape(const char *v)
{
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			return true;
	}
	return false;
}

/*
 * Strings are stored as they are for the machine formats, which encode
 * them as they render; for the human table, as smi_put_human() shows them.
 */
static int smi_set_str(const struct smi_row *r, size_t col, const char *v)
{
	struct smi_out esc = { 0 };
	int err;

	if (r->defs[col].vis == r->skip)
		return 0;
	/* the human table is the format that skips the machine columns */
	if (r->skip != SMI_MACHINE || !smi_needs_escape(v))
		return scols_line_set_data(r->ln, col, v);
	smi_put_human(&esc, v);
	err = esc.oom ? -ENOMEM : scols_line_set_data(r->ln, col, esc.buf);
	free(esc.buf);
	return err;
}

static int smi_set(const struct smi_row *r, size_t col, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (r->defs[col].vis == r->skip)
		return 0;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return scols_line_set_data(r->ln, col, buf);
}

static int smi_set_u64(const struct smi_row *r, size_t col, uint64_t v)
{
	char buf[24];

	buf[sizeof(buf) - 1] = '\0';
	return smi_set_str(r, col, smi_utoa(buf + sizeof(buf) - 1, v));
}

/* pids and uids: never negative from the driver, but printed right if so */
static int smi_set_long(const struct smi_row *r, size_t col, long v)
{
	if (v < 0)
		return smi_set(r, col, "%ld", v);
	return smi_set_u64(r, col, (uint64_t)v);
}

static int smi_set_size(const struct smi_row *r, size_t col, uint64_t v,
			bool bytes)
{
	char buf[64];

	if (bytes)
		return smi_set_u64(r, col, v);
	if (r->defs[col].vis == r->skip)
		return 0;
	smi_fmt_size(buf, sizeof(buf), v, false);
	return scols_line_set_data(r->ln, col, buf);
}

#define SMI_BAR_WIDTH 20

/* "used / total" of memory m of a card, "?" for a size the driver does not know */
static int smi_set_used(const struct smi_row *r, size_t col,
			const struct smi_card *c, int m, bool bytes)
{
	char used[64], total[64];

	if (r->defs[col].vis == r->skip)
		return 0;
	smi_fmt_size(used, sizeof(used), c->used[m], bytes);
	if (c->total[m])
		smi_fmt_size(total, sizeof(total), c->total[m], bytes);
	else
		snprintf(total, sizeof(total), "?");
	return smi_set(r, col, "%s / %s", used, total);
}

static const char *smi_pct_color(double pct)
{
	return pct >= 90.0 ? "red" : pct >= 70.0 ? "yellow" : "green";
}

static int smi_fill_cards(struct libscols_table *tb, const struct smi_snapshot *s,
			  const struct smi_opts *o)
{
	size_t i;
	int t, err = 0;

	for (i = 0; i < s->ncards && !err; i++) {
		const struct smi_card *c = &s->cards[i];
		struct smi_row r = { scols_table_new_line(tb, NULL), smi_card_cols,
				     smi_skipped(o) };
		char bar[SMI_BAR_WIDTH + 3];
		double dram_pct = smi_pct(c, SMI_M_DRAM);
		double l1_pct = smi_pct(c, SMI_M_L1);
		int fill = (int)(dram_pct * SMI_BAR_WIDTH / 100.0 + 0.5);

		if (!r.ln)
			return -ENOMEM;
		if (fill > SMI_BAR_WIDTH)
			fill = SMI_BAR_WIDTH;
		if (fill == 0 && c->used[SMI_M_DRAM])
			fill = 1;
		bar[0] = '[';
		memset(bar + 1, '#', fill);
		memset(bar + 1 + fill, '.', SMI_BAR_WIDTH - fill);
		bar[SMI_BAR_WIDTH + 1] = ']';
		bar[SMI_BAR_WIDTH + 2] = '\0';

		err |= smi_set_u64(&r, CC_CARD, c->index);
		err |= smi_set_str(&r, CC_BUS, c->bus_id);
		err |= smi_set_str(&r, CC_TYPE, c->card_type);
		err |= smi_set_used(&r, CC_DRAM_H, c, SMI_M_DRAM, o->bytes);
		err |= smi_set(&r, CC_DRAM_PCT, "%.1f", dram_pct);
		err |= smi_set_str(&r, CC_BAR, bar);
		err |= smi_set_used(&r, CC_L1_H, c, SMI_M_L1, o->bytes);
		err |= smi_set(&r, CC_L1_PCT, "%.1f", l1_pct);
		err |= smi_set_size(&r, CC_SYSMEM_H, c->used[SMI_M_SYSTEM_MEMORY],
				    o->bytes);
		for (t = 0; t < SMI_NMEMS; t++)
			err |= smi_set_u64(&r, CC_TOTAL0 + t, c->total[t]);
		for (t = 0; t < SMI_NTYPES; t++) {
			err |= smi_set_u64(&r, CC_ALLOC0 + t, c->allocated[t]);
			err |= smi_set_u64(&r, CC_PEAK0 + t, c->peak[t]);
		}
		err |= smi_set_u64(&r, CC_BUFFERS, c->buffers);
		err |= smi_set_u64(&r, CC_FILES, c->open_files);
		if (c->match != SMI_MATCH_UNKNOWN)
			err |= smi_set_str(&r, CC_MATCH,
					   c->match == SMI_MATCH_YES ? "true" : "false");
		if (o->color && o->format == SMI_FMT_HUMAN) {
			scols_cell_set_color(scols_line_get_cell(r.ln, CC_BAR),
					     smi_pct_color(dram_pct));
			scols_cell_set_color(scols_line_get_cell(r.ln, CC_L1_PCT),
					     smi_pct_color(l1_pct));
		}
	}
	return err ? -ENOMEM : 0;
}

/*
 * The user name of a uid, or NULL. Each getpwuid() reads the passwd
 * database again, and a snapshot has a row per open file (a thousand
 * processes of a handful of users): remember the names already seen.
 */
static const char *smi_user_name(long uid)
{
	static struct {
		long uid;
		char name[64];
		bool known;
	} cache[32];
	static size_t used;
	struct passwd *pw;
	size_t i;

	for (i = 0; i < used; i++)
		if (cache[i].uid == uid)
			return cache[i].known ? cache[i].name : NULL;
	pw = getpwuid((uid_t)uid);
	if (used < sizeof(cache) / sizeof(cache[0])) {
		cache[used].uid = uid;
		cache[used].known = pw != NULL;
		if (pw)
			snprintf(cache[used].name, sizeof(cache[used].name),
				 "%s", pw->pw_name);
		used++;
		return pw ? cache[used - 1].name : NULL;
	}
	return pw ? pw->pw_name : NULL;
}

/* Where a table keeps the container columns */
struct smi_ctr_cols {
	size_t cgroup, runtime, container, pod, human;
};

static const struct smi_ctr_cols smi_proc_ctr = {
	PC_CGROUP, PC_RUNTIME, PC_CONTAINER, PC_POD, PC_CONTAINER_H,
};

static const struct smi_ctr_cols smi_group_ctr = {
	GC_CGROUP, GC_RUNTIME, GC_CONTAINER, GC_POD, GC_CONTAINER_H,
};

/*
 * The container columns of a row from its cgroup; whether it has any.
 * The human table shows "runtime:" and the id's first 12 digits, as
 * docker ps does, or the pod's uid when no container is named.
 */
static bool smi_set_container(const struct smi_row *r, const struct smi_ctr_cols *cc,
			      const char *cgroup, int *err)
{
	struct smi_cgroup_ids ids;
	char h[SMI_POD_UID_LEN + 8];

	if (!cgroup)
		return false;
	*err |= smi_set_str(r, cc->cgroup, cgroup);
	smi_cgroup_ids(cgroup, &ids);
	if (*ids.runtime)
		*err |= smi_set_str(r, cc->runtime, ids.runtime);
	if (*ids.container)
		*err |= smi_set_str(r, cc->container, ids.container);
	if (*ids.pod)
		*err |= smi_set_str(r, cc->pod, ids.pod);
	if (*ids.container)
		snprintf(h, sizeof(h), "%s%s%.*s", ids.runtime,
			 *ids.runtime ? ":" : "", SMI_CONTAINER_SHORT,
			 ids.container);
	else if (*ids.pod)
		snprintf(h, sizeof(h), "pod:%s", ids.pod);
	else
		return false;
	*err |= smi_set_str(r, cc->human, h);
	return true;
}

/*
 * A cgroup path for the human table, at most SMI_CGROUP_H_MAX bytes: each
 * container id cut to its first 12 digits and "...", then, if still
 * longer, the first and last components with "/.../" between them, then
 * the tail after "...".
 */
#define SMI_CGROUP_H_MAX 48

static void smi_short_cgroup(const char *path, char *buf, size_t len)
{
	char *cut = malloc(strlen(path) + 1), *last;
	const char *p = path;
	size_t n = 0, run, first;

	if (!cut) {
		snprintf(buf, len, "%s", path);
		return;
	}
	while (*p) {
		for (run = 0; isxdigit((unsigned char)p[run]) &&
			      !isupper((unsigned char)p[run]); run++)
			;
		if (run == SMI_CONTAINER_ID_LEN) {
			memcpy(cut + n, p, SMI_CONTAINER_SHORT);
			memcpy(cut + n + SMI_CONTAINER_SHORT, "...", 3);
			n += SMI_CONTAINER_SHORT + 3;
			p += run;
		} else {
			memcpy(cut + n, p, run ? run : 1);
			n += run ? run : 1;
			p += run ? run : 1;
		}
	}
	cut[n] = '\0';
	last = strrchr(cut, '/');
	first = strcspn(cut + 1, "/") + 1;
	if (n <= SMI_CGROUP_H_MAX)
		snprintf(buf, len, "%s", cut);
	else if (last && cut + first < last &&
		 first + 4 + strlen(last) <= SMI_CGROUP_H_MAX)
		snprintf(buf, len, "%.*s/...%s", (int)first, cut, last);
	else
		snprintf(buf, len, "...%s", cut + n - (SMI_CGROUP_H_MAX - 3));
	free(cut);
}

/* Hide the human container column of a table where no row has one */
static int smi_hide_unless(struct libscols_table *tb, size_t col, bool any)
{
	if (any)
		return 0;
	return scols_column_set_flags(scols_table_get_column(tb, col),
				      SCOLS_FL_HIDDEN) ? -ENOMEM : 0;
}

static int smi_fill_procs(struct libscols_table *tb, const struct smi_snapshot *s,
			  const struct smi_opts *o)
{
	bool containers = false;
	size_t i;
	int t, err = 0;

	for (i = 0; i < s->nprocs && !err; i++) {
		const struct smi_proc *p = &s->procs[i];
		struct smi_row r = { scols_table_new_line(tb, NULL), smi_proc_cols,
				     smi_skipped(o) };
		const char *user = smi_user_name(p->uid);

		if (!r.ln)
			return -ENOMEM;
		err |= smi_set_long(&r, PC_PID, p->pid);
		if (user)
			err |= smi_set_str(&r, PC_USER, user);
		else
			err |= smi_set_long(&r, PC_USER, p->uid);
		err |= smi_set_long(&r, PC_UID, p->uid);
		err |= smi_set_str(&r, PC_COMM, p->comm);
		containers |= smi_set_container(&r, &smi_proc_ctr, p->cgroup, &err);
		err |= smi_set_u64(&r, PC_CARD, p->card);
		for (t = 0; t < SMI_NTYPES; t++)
			err |= smi_set_size(&r, PC_TYPE_H0 + t,
					    p->bytes[smi_proc_human_types[t]], o->bytes);
		err |= smi_set_u64(&r, PC_BUFFERS, p->buffers);
		err |= smi_set_size(&r, PC_PEAK_H, p->peak[TT_BUFFER_TYPE_DRAM], o->bytes);
		for (t = 0; t < SMI_NTYPES; t++) {
			err |= smi_set_u64(&r, PC_BYTES0 + t, p->bytes[t]);
			err |= smi_set_u64(&r, PC_PEAK0 + t, p->peak[t]);
		}
	}
	if (!err)
		err = smi_hide_unless(tb, PC_CONTAINER_H, containers);
	return err ? -ENOMEM : 0;
}

/* Rows in order of card, cgroup (none first), pid */
static int smi_group_cmp(const void *a, const void *b)
{
	const struct smi_proc *p = *(const struct smi_proc *const *)a;
	const struct smi_proc *q = *(const struct smi_proc *const *)b;
	int c;

	if (p->card != q->card)
		return p->card < q->card ? -1 : 1;
	if (!p->cgroup != !q->cgroup)
		return p->cgroup ? 1 : -1;
	if (p->cgroup && (c = strcmp(p->cgroup, q->cgroup)))
		return c;
	return p->pid < q->pid ? -1 : p->pid > q->pid;
}

static bool smi_same_group(const struct smi_proc *p, const struct smi_proc *q)
{
	return p->card == q->card && !p->cgroup == !q->cgroup &&
	       (!p->cgroup || !strcmp(p->cgroup, q->cgroup));
}

/*
 * --group-by cgroup: one row per card and cgroup, the rows of its files
 * summed: how many processes (distinct pids) and files, their buffers
 * and bytes. Peaks do not add up (each file's came at its own time) and
 * are left out.
 */
static int smi_fill_groups(struct libscols_table *tb, const struct smi_snapshot *s,
			   const struct smi_opts *o)
{
	const struct smi_proc **rows;
	bool containers = false;
	size_t i, j, k;
	int t, err = 0;

	if (!s->nprocs)
		return 0;
	rows = malloc(s->nprocs * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (i = 0; i < s->nprocs; i++)
		rows[i] = &s->procs[i];
	qsort(rows, s->nprocs, sizeof(*rows), smi_group_cmp);
	for (i = 0; i < s->nprocs && !err; i = j) {
		struct smi_row r = { scols_table_new_line(tb, NULL), smi_group_cols,
				     smi_skipped(o) };
		uint64_t bytes[SMI_NTYPES] = { 0 }, buffers = 0, procs = 0;

		if (!r.ln) {
			err = -ENOMEM;
			break;
		}
		for (j = i; j < s->nprocs && smi_same_group(rows[i], rows[j]); j++) {
			procs += j == i || rows[j]->pid != rows[j - 1]->pid;
			buffers += rows[j]->buffers;
			for (k = 0; k < SMI_NTYPES; k++)
				bytes[k] += rows[j]->bytes[k];
		}
		err |= smi_set_u64(&r, GC_CARD, rows[i]->card);
		containers |= smi_set_container(&r, &smi_group_ctr, rows[i]->cgroup, &err);
		if (rows[i]->cgroup && o->format == SMI_FMT_HUMAN) {
			char h[SMI_CGROUP_H_MAX + 1];

			smi_short_cgroup(rows[i]->cgroup, h, sizeof(h));
			err |= smi_set_str(&r, GC_CGROUP, h);
		}
		err |= smi_set_u64(&r, GC_PROCS, procs);
		err |= smi_set_u64(&r, GC_FILES, j - i);
		err |= smi_set_u64(&r, GC_BUFFERS, buffers);
		for (t = 0; t < SMI_NTYPES; t++) {
			err |= smi_set_size(&r, GC_TYPE_H0 + t,
					    bytes[smi_proc_human_types[t]], o->bytes);
			err |= smi_set_u64(&r, GC_BYTES0 + t, bytes[t]);
		}
	}
	free(rows);
	if (!err)
		err = smi_hide_unless(tb, GC_CONTAINER_H, containers);
	return err ? -ENOMEM : 0;
}

/* ---- renderings ------------------------------------------------------- */

static int smi_table_string(struct libscols_table *tb, char **str)
{
	*str = NULL;
	if (scols_print_table_to_string(tb, str) || !*str)
		return -ENOMEM;
	return 0;
}

static const char *smi_procs_hint(const struct smi_snapshot *s)
{
	switch (s->procs_state) {
	case SMI_PROCS_NOROOT:
		return "Processes: run as root (sudo tt-smi) to see which processes hold card memory.";
	case SMI_PROCS_NODEBUGFS:
		return "Processes: mount debugfs (mount -t debugfs none /sys/kernel/debug) to see them.";
	case SMI_PROCS_OWN:
		return "Processes: only your own are shown; run as root (sudo tt-smi) to see every process.";
	default:
		return NULL;
	}
}

/* ---- the watch view's history ------------------------------------------- */

void smi_history_add(struct smi_history *h, const struct smi_snapshot *s,
		     long long now_ns)
{
	bool fresh = !h->last_ns ||
		     now_ns - h->last_ns >= (long long)(h->interval * 0.9e9);
	struct smi_hist_card kept[SMI_MAX_CARDS];
	size_t i, j, n = 0;
	int m;

	if (fresh)
		h->last_ns = now_ns;
	for (i = 0; i < s->ncards; i++) {
		const struct smi_card *c = &s->cards[i];
		struct smi_hist_card *hc = &kept[n++];

		for (j = 0; j < h->ncards; j++)
			if (h->cards[j].index == c->index &&
			    !strcmp(h->cards[j].bus_id, c->bus_id))
				break;
		if (j < h->ncards) {
			*hc = h->cards[j];
		} else {
			memset(hc, 0, sizeof(*hc));
			hc->index = c->index;
			snprintf(hc->bus_id, sizeof(hc->bus_id), "%s", c->bus_id);
		}
		if (fresh || !hc->n) {
			if (hc->n == SMI_HISTORY_LEN) {
				for (m = 0; m < 2; m++)
					memmove(hc->used[m], hc->used[m] + 1,
						(SMI_HISTORY_LEN - 1) * sizeof(uint64_t));
				hc->n--;
			}
			hc->n++;
		}
		hc->used[0][hc->n - 1] = c->used[SMI_M_DRAM];
		hc->used[1][hc->n - 1] = c->used[SMI_M_L1];
	}
	memcpy(h->cards, kept, n * sizeof(kept[0]));
	h->ncards = n;
}

/*
 * One sparkline: v[0..n) scaled to their highest, right-aligned in
 * SMI_HISTORY_LEN cells: a space for 0, else one of eight levels, the
 * Unicode lower blocks or, where the locale cannot show them, ASCII.
 */
static void smi_sparkline(struct smi_out *out, const uint64_t *v, size_t n,
			  uint64_t max, bool utf8)
{
	static const char ascii[] = "_.-:=+*#";
	size_t i;

	for (i = n; i < SMI_HISTORY_LEN; i++)
		smi_puts(out, " ");
	for (i = 0; i < n; i++) {
		unsigned int level = 0;
		char b[4] = { '\xe2', '\x96', 0, 0 };

		if (v[i] && max)	/* 1..8, the highest 8 */
			level = (unsigned int)((v[i] * 8 + max - 1) / max);
		if (!level)
			smi_puts(out, " ");
		else if (utf8) {
			b[2] = (char)(0x80 + level);	/* U+2581..U+2588 */
			smi_puts(out, b);
		} else {
			smi_putn(out, &ascii[level - 1], 1);
		}
	}
}

/* Under the cards' table: each card's DRAM and L1 used over time */
static void smi_render_history(struct smi_out *out, const struct smi_history *h,
			       bool bytes)
{
	static const char *const mem[] = { "DRAM", "L1" };
	char size[64];
	size_t i, k;
	int m;

	if (!h->ncards)
		return;
	smi_printf(out, "\nDRAM and L1 used, the last %zu samples %gs apart, each line up to its highest:\n",
		   (size_t)SMI_HISTORY_LEN, h->interval);
	for (i = 0; i < h->ncards; i++) {
		const struct smi_hist_card *hc = &h->cards[i];

		for (m = 0; m < 2; m++) {
			uint64_t max = 0;

			for (k = 0; k < hc->n; k++)
				if (hc->used[m][k] > max)
					max = hc->used[m][k];
			if (m == 0)
				smi_printf(out, "%4u %-4s ", hc->index, mem[m]);
			else
				smi_printf(out, "%4s %-4s ", "", mem[m]);
			smi_sparkline(out, hc->used[m], hc->n, max, h->utf8);
			smi_fmt_size(size, sizeof(size), max, bytes);
			smi_printf(out, " %s\n", size);
		}
	}
}

/* A line under the tables for each card whose rows do not add up */
static void smi_human_mismatches(struct smi_out *out, const struct smi_snapshot *s,
				 bool bytes)
{
	char rows[64], card[64];
	size_t i;
	int t;

	for (i = 0; i < s->ncards; i++) {
		const struct smi_card *c = &s->cards[i];
		uint64_t all = 0;

		if (c->match != SMI_MATCH_NO)
			continue;
		for (t = 0; t < SMI_NTYPES; t++)
			all += c->allocated[t];
		smi_fmt_size(rows, sizeof(rows), c->row_bytes, bytes);
		smi_fmt_size(card, sizeof(card), all, bytes);
		smi_printf(out, "\nCard %u: its process rows do not add up to its totals: %" PRIu64
			   " rows for %" PRIu64 " open files, %" PRIu64 " of %" PRIu64
			   " buffers, %s of %s.\n", c->index, c->row_files, c->open_files,
			   c->row_buffers, c->buffers, rows, card);
	}
}

static int smi_render_human(struct smi_out *out, struct libscols_table *cards,
			    struct libscols_table *procs,
			    const struct smi_snapshot *s, const struct smi_opts *o)
{
	int pt_id = o->group_cgroup ? SMI_TB_GROUPS : SMI_TB_PROCS;
	/* a blank line between the tables, when both are there */
	const char *sep = smi_table_omitted(o, SMI_TB_CARDS) ? "" : "\n";
	char *str;

	/* a table -o named no column of is left out */
	if (!smi_table_omitted(o, SMI_TB_CARDS)) {
		if (smi_table_string(cards, &str))
			return -ENOMEM;
		smi_puts(out, str);
		smi_puts(out, "\n");
		free(str);
		if (o->history)
			smi_render_history(out, o->history, o->bytes);
	}
	if (smi_table_omitted(o, pt_id)) {
		if (!smi_table_omitted(o, SMI_TB_CARDS))
			smi_human_mismatches(out, s, o->bytes);
		return 0;
	}
	if (!smi_procs_shown(s->procs_state)) {
		smi_printf(out, "%s%s\n", sep, smi_procs_hint(s));
	} else if (!s->nprocs) {
		smi_printf(out, "%s%s\n", sep, s->procs_state == SMI_PROCS_OWN ?
			   "No process of yours has a card open." :
			   "No process has a card open.");
	} else {
		if (smi_table_string(procs, &str))
			return -ENOMEM;
		smi_printf(out, "%s%s\n", sep, str);
		free(str);
	}
	if (s->procs_state == SMI_PROCS_OWN)
		smi_printf(out, "%s\n", smi_procs_hint(s));
	smi_human_mismatches(out, s, o->bytes);
	return 0;
}

static const char *smi_cell(struct libscols_line *ln, size_t col)
{
	const char *d = scols_cell_get_data(scols_line_get_cell(ln, col));

	return d ? d : "";
}

/* Calls fn(out, line, its index, arg) for each line of a table */
static void smi_each_line(struct smi_out *out, struct libscols_table *tb,
			  void (*fn)(struct smi_out *, struct libscols_line *,
				     size_t, const void *),
			  const void *arg)
{
	struct libscols_iter *it = scols_new_iter(SCOLS_ITER_FORWARD);
	struct libscols_line *ln;
	size_t i = 0;

	if (!it) {
		out->oom = true;
		return;
	}
	while (scols_table_next_line(tb, it, &ln) == 0)
		fn(out, ln, i++, arg);
	scols_free_iter(it);
}

/* The labels of each sample of a table, and the columns they come from */
struct smi_prom_label {
	const char *name;
	size_t col;
};

/*
 * The columns of a table, for the renderers: the machine formats write
 * order[0..norder), the columns o shows in the order it shows them.
 */
struct smi_cols {
	const struct smi_coldef *defs;
	size_t n;
	const char *ts;		/* CSV: the first column, a time series' */
	unsigned char order[SMI_MAX_COLS_ALL];
	size_t norder;
	bool omitted;		/* -o named none of its columns */
};

/* The table under the cards': the processes, or with --group-by their groups */
struct smi_tab {
	struct libscols_table *tb;
	struct smi_cols cols;
	const struct smi_prom_label *labels;	/* of its Prometheus samples */
	const char *key;			/* its JSON array */
};

/* One object of a JSON array: the machine columns, typed */
static void smi_json_line(struct smi_out *out, struct libscols_line *ln,
			  size_t i, const void *arg)
{
	const struct smi_cols *cols = arg;
	bool first = true;
	size_t j;

	smi_puts(out, i ? ",\n      {" : "\n      {");
	for (j = 0; j < cols->norder; j++) {
		size_t c = cols->order[j];
		const struct smi_coldef *d = &cols->defs[c];
		const char *v = smi_cell(ln, c);
		const char *k;
		bool unset = !scols_cell_get_data(scols_line_get_cell(ln, c));

		smi_puts(out, first ? "\n         \"" : ",\n         \"");
		first = false;
		for (k = d->name; *k; k++) {
			char lc = (char)tolower((unsigned char)*k);

			smi_putn(out, &lc, 1);
		}
		smi_puts(out, "\": ");
		if (d->json == SCOLS_JSON_STRING && unset)
			smi_puts(out, "null");
		else if (d->json == SCOLS_JSON_STRING)
			smi_put_json(out, v);
		else
			smi_puts(out, *v ? v : "null");	/* numbers, true, false */
	}
	smi_puts(out, "\n      }");
}

static void smi_json_array(struct smi_out *out, const char *name,
			   struct libscols_table *tb, const struct smi_cols *cols)
{
	smi_printf(out, "   \"%s\": [", name);
	smi_each_line(out, tb, smi_json_line, cols);
	smi_puts(out, scols_table_get_nlines(tb) ? "\n   ]" : "]");
}

void smi_timestamp(char *buf, const struct timespec *ts)
{
	struct tm tm;
	char sec[24];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, SMI_TIMESTAMP_LEN, "%s.%03uZ", sec,
		 (unsigned int)(ts->tv_nsec / 1000000) % 1000);
}

/*
 * Make the JSON document from byte start of out one line (JSON Lines):
 * every line break in it is layout, as smi_put_json() escapes those of
 * strings, so each one goes with the indentation after it.
 */
static void smi_json_one_line(struct smi_out *out, size_t start)
{
	size_t r, w = start;

	if (out->oom)
		return;
	for (r = start; r < out->len; r++) {
		if (out->buf[r] == '\n') {
			while (r + 1 < out->len && out->buf[r + 1] == ' ')
				r++;
			continue;
		}
		out->buf[w++] = out->buf[r];
	}
	out->len = w;
	smi_puts(out, "\n");
}

static int smi_render_json(struct smi_out *out, const struct smi_tab *ct,
			   const struct smi_tab *pt,
			   const struct smi_snapshot *s, const struct smi_opts *o)
{
	char ts[SMI_TIMESTAMP_LEN];
	size_t start = out->len;

	smi_timestamp(ts, &o->when);
	smi_printf(out, "{\n   \"schema\": %d,\n", SMI_JSON_SCHEMA);
	smi_printf(out, "   \"timestamp\": \"%s\",\n", ts);
	smi_printf(out, "   \"processes_available\": %s,\n",
		   smi_procs_shown(s->procs_state) ? "true" : "false");
	/* every process (root), the caller's own (fdinfo), or none */
	smi_printf(out, "   \"processes_scope\": %s",
		   s->procs_state == SMI_PROCS_OK ? "\"all\"" :
		   s->procs_state == SMI_PROCS_OWN ? "\"own\"" : "null");
	/* a table -o named no column of is left out */
	if (!ct->cols.omitted) {
		smi_puts(out, ",\n");
		smi_json_array(out, ct->key, ct->tb, &ct->cols);
	}
	if (!pt->cols.omitted) {
		smi_puts(out, ",\n");
		smi_json_array(out, pt->key, pt->tb, &pt->cols);
	}
	smi_puts(out, "\n}\n");
	if (smi_series(o))
		smi_json_one_line(out, start);
	return 0;
}

/*
 * One CSV record of the machine columns; line NULL: the header. A time
 * series' records start with the sample's time (cols->ts).
 */
static void smi_csv_line(struct smi_out *out, struct libscols_line *ln,
			 size_t i, const void *arg)
{
	const struct smi_cols *cols = arg;
	bool first = true;
	size_t j, c;

	(void)i;
	if (cols->ts) {
		smi_puts(out, ln ? cols->ts : "TIMESTAMP");
		first = false;
	}
	for (j = 0; j < cols->norder; j++) {
		c = cols->order[j];
		if (!first)
			smi_puts(out, ",");
		first = false;
		if (ln)
			smi_put_csv(out, smi_cell(ln, c));
		else
			smi_puts(out, cols->defs[c].name);
	}
	smi_puts(out, "\n");
}

/*
 * CSV (RFC 4180, lines ending in LF): a header and a record per card;
 * then, when the processes are visible, an empty line, a header and a
 * record per process. smi_put_csv() quotes what needs it. A time series
 * is the cards' records only, each starting with the sample's time, under
 * one header: a stream of one table that any CSV reader takes.
 */
static int smi_render_csv(struct smi_out *out, const struct smi_tab *ct,
			  const struct smi_tab *pt,
			  const struct smi_snapshot *s, const struct smi_opts *o)
{
	char ts[SMI_TIMESTAMP_LEN];
	struct smi_cols cc = ct->cols;

	if (smi_series(o)) {	/* the cards' records, the header once */
		smi_timestamp(ts, &o->when);
		cc.ts = ts;
		if (o->csv_header && !o->noheadings)
			smi_csv_line(out, NULL, 0, &cc);
		smi_each_line(out, ct->tb, smi_csv_line, &cc);
		return 0;
	}
	if (!cc.omitted) {
		if (!o->noheadings)
			smi_csv_line(out, NULL, 0, &cc);
		smi_each_line(out, ct->tb, smi_csv_line, &cc);
	}
	if (!smi_procs_shown(s->procs_state) || pt->cols.omitted)
		return 0;
	if (!cc.omitted)
		smi_puts(out, "\n");
	if (!o->noheadings)
		smi_csv_line(out, NULL, 0, &pt->cols);
	smi_each_line(out, pt->tb, smi_csv_line, &pt->cols);
	return 0;
}

/*
 * A card's samples carry its index only; its bus id and type are in one
 * tenstorrent_card_info sample, which queries join on card.
 */
static const struct smi_prom_label smi_card_labels[] = {
	{ "card", CC_CARD }, { NULL },
};

static const struct smi_prom_label smi_card_info_labels[] = {
	{ "card", CC_CARD }, { "bus_id", CC_BUS }, { "card_type", CC_TYPE },
	{ NULL },
};

static const struct smi_prom_label smi_proc_labels[] = {
	{ "card", PC_CARD }, { "pid", PC_PID }, { "uid", PC_UID },
	{ "comm", PC_COMM }, { "cgroup", PC_CGROUP },
	{ "container_id", PC_CONTAINER }, { "pod_uid", PC_POD }, { NULL },
};

static const struct smi_prom_label smi_group_labels[] = {
	{ "card", GC_CARD }, { "cgroup", GC_CGROUP },
	{ "container_id", GC_CONTAINER }, { "pod_uid", GC_POD }, { NULL },
};

/* The labels of one line of a table: card="0",bus_id="...",... */
static void smi_prom_labels(struct smi_out *out, struct libscols_line *ln,
			    const struct smi_prom_label *labels)
{
	const struct smi_prom_label *l;

	for (l = labels; l->name; l++) {
		if (l != labels)
			smi_puts(out, ",");
		smi_puts(out, l->name);
		smi_puts(out, "=\"");
		smi_put_prom(out, smi_cell(ln, l->col));
		smi_puts(out, "\"");
	}
}

/* A sample's value from its cell: booleans as 1 and 0; NULL: no sample */
static const char *smi_prom_value(const struct smi_coldef *d, const char *v)
{
	if (!*v)
		return NULL;
	if (d->json == SCOLS_JSON_BOOLEAN)
		return strcmp(v, "true") ? "0" : "1";
	return v;
}

/*
 * One metric family per distinct metric of defs, its samples contiguous:
 * one per line of the table and per column of that family. Each line's
 * labels are written once and copied into each of its samples: a
 * thousand processes make tens of thousands of samples.
 */
static void smi_prom_table(struct smi_out *out, struct libscols_table *tb,
			   const struct smi_coldef *defs, size_t ncols,
			   const struct smi_prom_label *labels_of)
{
	size_t nlines = scols_table_get_nlines(tb), i, j, l;
	struct libscols_line **lines = NULL;
	struct smi_out labels = { 0 };
	struct libscols_iter *it;
	size_t *at = NULL;
	const char *v;

	if (!nlines)
		return;
	lines = calloc(nlines, sizeof(*lines));
	at = calloc(nlines + 1, sizeof(*at));
	it = scols_new_iter(SCOLS_ITER_FORWARD);
	if (!lines || !at || !it) {
		out->oom = true;
		goto out_free;
	}
	for (l = 0; l < nlines && scols_table_next_line(tb, it, &lines[l]) == 0; l++) {
		at[l] = labels.len;
		smi_prom_labels(&labels, lines[l], labels_of);
	}
	nlines = l;
	at[nlines] = labels.len;
	if (labels.oom) {
		out->oom = true;
		goto out_free;
	}

	for (i = 0; i < ncols; i++) {
		if (!defs[i].metric)
			continue;
		for (j = 0; j < i; j++)
			if (defs[j].metric && !strcmp(defs[j].metric, defs[i].metric))
				break;
		if (j < i)
			continue;	/* family already written */
		smi_printf(out, "# HELP %s %s\n# TYPE %s gauge\n",
			   defs[i].metric, defs[i].help, defs[i].metric);
		for (l = 0; l < nlines; l++) {
			for (j = i; j < ncols; j++) {
				if (!defs[j].metric || strcmp(defs[j].metric, defs[i].metric))
					continue;
				v = smi_prom_value(&defs[j], smi_cell(lines[l], j));
				if (!v)
					continue;
				smi_puts(out, defs[j].metric);
				smi_puts(out, "{");
				smi_putn(out, labels.buf + at[l], at[l + 1] - at[l]);
				if (defs[j].mtype) {
					smi_puts(out, ",type=\"");
					smi_puts(out, defs[j].mtype);
					smi_puts(out, "\"");
				}
				smi_puts(out, "} ");
				smi_puts(out, v);
				smi_puts(out, "\n");
			}
		}
	}
out_free:
	scols_free_iter(it);
	free(labels.buf);
	free(at);
	free(lines);
}

/* One tenstorrent_card_info sample per card */
static void smi_prom_info_line(struct smi_out *out, struct libscols_line *ln,
			       size_t i, const void *arg)
{
	(void)i;
	(void)arg;
	smi_puts(out, "tenstorrent_card_info{");
	smi_prom_labels(out, ln, smi_card_info_labels);
	smi_puts(out, "} 1\n");
}

/*
 * Also without the driver or a card: a document that says so, for a
 * timer that replaces the textfile collector's file each run.
 */
static int smi_render_prom(struct smi_out *out, struct libscols_table *cards,
			   const struct smi_tab *pt,
			   const struct smi_snapshot *s, const struct smi_opts *o)
{
	smi_puts(out, "# HELP tenstorrent_smi_build_info tt-smi's version and the tracking ABI it was built for\n"
		      "# TYPE tenstorrent_smi_build_info gauge\n");
	smi_printf(out, "tenstorrent_smi_build_info{version=\"%s\",tracking_abi=\"%d\"} 1\n",
		   SMI_VERSION, TENSTORRENT_TRACK_ABI_VERSION);
	smi_puts(out, "# HELP tenstorrent_driver_loaded 1 when the tenstorrent driver is loaded (/sys/class/tenstorrent exists), else 0\n"
		      "# TYPE tenstorrent_driver_loaded gauge\n");
	smi_printf(out, "tenstorrent_driver_loaded %d\n", s->driver ? 1 : 0);
	smi_puts(out, "# HELP tenstorrent_cards Cards the tenstorrent driver shows (of those selected)\n"
		      "# TYPE tenstorrent_cards gauge\n");
	smi_printf(out, "tenstorrent_cards %zu\n", s->ncards);
	if (scols_table_get_nlines(cards)) {
		smi_puts(out, "# HELP tenstorrent_card_info Each card: its bus id and type, for joining on card\n"
			      "# TYPE tenstorrent_card_info gauge\n");
		smi_each_line(out, cards, smi_prom_info_line, NULL);
	}
	smi_prom_table(out, cards, smi_card_cols, CC_NCOLS, smi_card_labels);
	/*
	 * A series per process and card: many, and short-lived; asked for.
	 * A series per cgroup and card: as many as containers, with
	 * --group-by.
	 */
	if ((o->prom_processes || o->group_cgroup) && smi_procs_shown(s->procs_state))
		smi_prom_table(out, pt->tb, pt->cols.defs, pt->cols.n, pt->labels);
	return 0;
}

/* A table's columns as o shows them, for the renderers */
static void smi_cols_of(const struct smi_opts *o, int t, struct smi_cols *c)
{
	c->defs = smi_tables[t].defs;
	c->n = smi_tables[t].n;
	c->ts = NULL;
	c->norder = smi_col_order(o, t, c->order);
	c->omitted = smi_table_omitted(o, t);
}

/*
 * The human table's columns in the order o shows them: libsmartcols moves
 * each line's cells with its column, so after the lines are filled.
 */
static int smi_order_columns(struct libscols_table *tb, const struct smi_cols *c)
{
	struct libscols_column *cl[SMI_MAX_COLS_ALL], *pre = NULL;
	size_t k;

	/* by index before any moves: a move renumbers the columns after it */
	for (k = 0; k < c->norder; k++) {
		cl[k] = scols_table_get_column(tb, c->order[k]);
		if (!cl[k])
			return -ENOMEM;
	}
	for (k = 0; k < c->norder; k++) {
		if (scols_table_move_column(tb, pre, cl[k]))
			return -ENOMEM;
		pre = cl[k];
	}
	return 0;
}

/* Build the model of one snapshot and render it into out. */
int smi_render(struct smi_out *out, const struct smi_snapshot *s,
	       const struct smi_opts *o)
{
	int pt_id = o->group_cgroup ? SMI_TB_GROUPS : SMI_TB_PROCS;
	struct smi_tab ct = { .labels = smi_card_labels, .key = "cards" };
	struct smi_tab pt = {
		.labels = o->group_cgroup ? smi_group_labels : smi_proc_labels,
		.key = smi_tables[pt_id].name,
	};
	int err = -ENOMEM;

	smi_cols_of(o, SMI_TB_CARDS, &ct.cols);
	smi_cols_of(o, pt_id, &pt.cols);
	ct.tb = smi_new_table(SMI_TB_CARDS, o);
	pt.tb = smi_new_table(pt_id, o);
	if (!ct.tb || !pt.tb)
		goto out_unref;
	if (o->format == SMI_FMT_HUMAN && o->color && !o->raw) {
		scols_table_enable_colors(ct.tb, 1);
		scols_table_enable_colors(pt.tb, 1);
	}
	/*
	 * Raw: one space between cells, none aligned, and each byte that is
	 * not safe there (spaces too) as \xHH, by libsmartcols.
	 */
	scols_table_enable_raw(ct.tb, o->raw);
	scols_table_enable_raw(pt.tb, o->raw);
	scols_table_enable_noheadings(ct.tb, o->noheadings);
	scols_table_enable_noheadings(pt.tb, o->noheadings);
	err = smi_fill_cards(ct.tb, s, o);
	/* Prometheus writes the processes only when asked to */
	if (!err && o->group_cgroup)
		err = smi_fill_groups(pt.tb, s, o);
	else if (!err && (o->format != SMI_FMT_PROM || o->prom_processes))
		err = smi_fill_procs(pt.tb, s, o);
	if (err)
		goto out_unref;

	switch (o->format) {
	case SMI_FMT_HUMAN:
		err = smi_order_columns(ct.tb, &ct.cols);
		if (!err)
			err = smi_order_columns(pt.tb, &pt.cols);
		if (!err)
			err = smi_render_human(out, ct.tb, pt.tb, s, o);
		break;
	case SMI_FMT_JSON:
		err = smi_render_json(out, &ct, &pt, s, o);
		break;
	case SMI_FMT_CSV:
		err = smi_render_csv(out, &ct, &pt, s, o);
		break;
	case SMI_FMT_PROM:
		err = smi_render_prom(out, ct.tb, &pt, s, o);
		break;
	}
	if (!err && out->oom)
		err = -ENOMEM;
out_unref:
	scols_unref_table(pt.tb);
	scols_unref_table(ct.tb);
	return err;
}
