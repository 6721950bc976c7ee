/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tt-smi: what the tenstorrent driver knows about the memory of each card
 * and, for root, of each process. The one header of its parts:
 *
 *   smi_read.c    sysfs and debugfs into a snapshot (struct smi_snapshot)
 *   smi_render.c  the table model of a snapshot and its renderings:
 *                 human table, JSON, CSV, Prometheus
 *   smi_text.c    the output buffer and each format's encoding of a
 *                 string (smi_text.h)
 *   tt-smi.c      the command line, the exit codes and --watch
 *
 * Cards come from libttkmd's listing (tt_list_cards(), sysfs); their
 * counters are read fresh from sysfs on every snapshot with open()/read().
 * libudev's monitor tells --watch when a card comes or goes. Processes
 * come from the root-only debugfs table
 * /sys/kernel/debug/tenstorrent/<N>/processes; for another user, their
 * own processes from /proc/<pid>/fdinfo.
 */
#ifndef SMI_H
#define SMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "smi_text.h"
#include "tenstorrent_track.h"

struct udev;

#define SMI_CLASS_DIR	"/sys/class/tenstorrent"
#define SMI_MAX_CARDS	64
#define SMI_MAX_SEL	64
#define SMI_JSON_SCHEMA	5

#define SMI_NTYPES	TT_BUFFER_TYPE_COUNT

/*
 * smi_read.c: the buffer types' names, in the driver's order (enum
 * tenstorrent_buffer_type), as its sysfs and debugfs spell them; tt-smi's
 * per-type columns are named after them.
 */
extern const char *const smi_type_names[SMI_NTYPES];

/*
 * The memories of a card, each with its capacity in sysfs (<name>_total).
 * Each buffer type lives in one of them (smi_read.c): the driver refuses
 * a record that would take an open file's bytes of a memory's types
 * together beyond its capacity. Several files can still hold more than
 * the card has (100 % and more: the same buffer reported by two
 * processes, or wrong reports).
 */
enum { SMI_M_DRAM, SMI_M_L1, SMI_M_SYSTEM_MEMORY, SMI_NMEMS };

/* Whether a card's process rows add up to its sysfs totals */
enum smi_match {
	SMI_MATCH_UNKNOWN,	/* not read (not root), or totals kept moving */
	SMI_MATCH_YES,
	SMI_MATCH_NO,
};

struct smi_card {
	unsigned int index;
	char bus_id[64];
	char card_type[32];
	uint64_t allocated[SMI_NTYPES];
	uint64_t peak[SMI_NTYPES];
	uint64_t buffers;
	uint64_t open_files;
	uint64_t total[SMI_NMEMS];	/* capacities; 0: unknown */
	uint64_t used[SMI_NMEMS];	/* bytes live of each memory's types */
	enum smi_match match;
	/* what its process rows add up to, for the note when they do not */
	uint64_t row_files, row_buffers, row_bytes;
};

/*
 * One open file of a card, as debugfs (or fdinfo) shows it. cgroup: its
 * opener's cgroup v2 path, malloc'ed, or NULL when the driver shows none
 * (a driver before the column, a kernel without cgroups).
 */
struct smi_proc {
	unsigned int card;
	long pid;
	long uid;
	char comm[64];
	char *cgroup;
	uint64_t buffers;
	uint64_t bytes[SMI_NTYPES];
	uint64_t peak[SMI_NTYPES];
};

enum smi_procs_state {
	SMI_PROCS_OK,		/* read every selected card's table */
	SMI_PROCS_NOROOT,	/* debugfs not readable: not root */
	SMI_PROCS_NODEBUGFS,	/* root, but debugfs not mounted */
	SMI_PROCS_OWN,		/* not root: the user's own, from fdinfo */
};

/* Whether s has a list of processes to show: every one, or the user's own */
static inline bool smi_procs_shown(enum smi_procs_state st)
{
	return st == SMI_PROCS_OK || st == SMI_PROCS_OWN;
}

struct smi_snapshot {
	struct smi_card cards[SMI_MAX_CARDS];
	size_t ncards;
	struct smi_proc *procs;
	size_t nprocs, procs_cap;
	enum smi_procs_state procs_state;
	bool driver;		/* /sys/class/tenstorrent exists */
};

/*
 * A card of -d: its index (the N of /dev/tenstorrent/N), or its bus id
 * (a PCI address, ttsimN), given as such or as its udev by-path name
 * (pci-0000:01:00.0, sim-ttsim0) or link.
 */
struct smi_sel {
	bool by_bus;
	unsigned int index;
	char bus_id[64];
	char arg[128];		/* as given (cut), for messages */
};

/* smi_read.c: whether card c is the one sel names */
bool smi_sel_matches(const struct smi_sel *sel, const struct smi_card *c);

enum smi_format { SMI_FMT_HUMAN, SMI_FMT_JSON, SMI_FMT_CSV, SMI_FMT_PROM };

/* The tables tt-smi shows, for -o: the cards, the processes, their groups */
enum { SMI_TB_CARDS, SMI_TB_PROCS, SMI_TB_GROUPS, SMI_NTABLES };

#define SMI_MAX_COLSEL 64

/*
 * -o's columns of one table, by their index in the table, in the order
 * given. given: -o named a column of some table; append: "+LIST", these
 * after the table's default ones.
 */
struct smi_colsel {
	bool given;
	bool append;
	size_t n;
	unsigned char col[SMI_MAX_COLSEL];
};

struct smi_opts {
	enum smi_format format;
	bool bytes;
	bool color;
	bool noheadings;	/* -n: no header line (human, CSV) */
	bool raw;		/* -r: the human tables in raw form */
	bool prom_processes;	/* --prometheus-processes: their series too */
	bool group_cgroup;	/* --group-by cgroup: rows summed per cgroup */
	bool watch;		/* --watch or --loop: a sample every interval */
	bool loop;		/* --loop: appended, never drawn in place */
	double interval;
	const char *file;	/* --filename: each sample replaces it */
	/* set per sample by tt-smi.c */
	struct timespec when;	/* CLOCK_REALTIME of the sample */
	bool csv_header;	/* a CSV series: this sample has the header */
	struct smi_sel sel[SMI_MAX_SEL];	/* the cards of -d; none: all */
	size_t nsel;
	struct smi_colsel csel[SMI_NTABLES];	/* -o */
	struct smi_history *history;	/* the watch view's; NULL: none */
};

/*
 * The watch view's history: each card's DRAM and L1 used (bytes of each
 * memory's types), one sample an interval, the oldest first; a redraw
 * between two (a card changed) updates the newest.
 */
#define SMI_HISTORY_LEN 60

struct smi_hist_card {
	unsigned int index;
	char bus_id[64];
	uint64_t used[2][SMI_HISTORY_LEN];	/* DRAM, L1 */
	size_t n;
};

struct smi_history {
	struct smi_hist_card cards[SMI_MAX_CARDS];
	size_t ncards;
	long long last_ns;	/* CLOCK_BOOTTIME of the newest sample */
	double interval;	/* seconds between samples */
	bool utf8;		/* the locale's: Unicode blocks, else ASCII */
};

/* Whether o asks for a time series: JSON Lines, CSV rows, a textfile */
static inline bool smi_series(const struct smi_opts *o)
{
	return o->watch && o->format != SMI_FMT_HUMAN;
}

/* tt-smi.c: "tt-smi: " and the message on stderr */
void smi_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * smi_read.c. smi_read_cards(): the cards o selects, from libttkmd's
 * listing, into s->cards (by index); a card removed meanwhile is left
 * out. Returns 0 or a negative errno; a card that cannot be read is said
 * on stderr.
 */
int smi_read_cards(const struct smi_opts *o, struct smi_snapshot *s);

/*
 * The debugfs processes of s's cards into s->procs and s->procs_state,
 * and whether each card's rows add up to its totals; when debugfs is not
 * the caller's to read, the caller's own processes from fdinfo
 * (SMI_PROCS_OWN). Returns 0 (also when neither can be read: see
 * s->procs_state), -EBADMSG for a line tt-smi cannot parse (said on
 * stderr, with where), or another negative errno.
 */
int smi_read_procs(struct smi_snapshot *s);

/* Frees s's processes and empties it, for the next snapshot */
void smi_snapshot_free(struct smi_snapshot *s);

/*
 * smi_render.c: the tables' per-type columns, made from smi_type_names;
 * once, before the first smi_render().
 */
void smi_render_init(void);

/*
 * -o LIST (after the format is known) into o->csel: column names of any
 * table, as --list-columns names them, case-insensitive, comma-separated;
 * "+LIST" adds them to the defaults. Returns 0, or -EINVAL for a name no
 * table of the format has (said on stderr).
 */
int smi_parse_columns(struct smi_opts *o, const char *list);

/*
 * The cards of s into h at time now_ns (CLOCK_BOOTTIME): a new sample when
 * an interval has passed since the last, else the newest updated; a card
 * s does not have any more is dropped.
 */
void smi_history_add(struct smi_history *h, const struct smi_snapshot *s,
		     long long now_ns);

/* --list-columns: the columns of o->format's tables into out */
void smi_list_columns(struct smi_out *out, const struct smi_opts *o);

/*
 * The model of snapshot s rendered into out in o->format. Returns 0 or
 * -ENOMEM.
 */
int smi_render(struct smi_out *out, const struct smi_snapshot *s,
	       const struct smi_opts *o);

/*
 * ts as RFC 3339 in UTC with milliseconds ("2026-12-02T12:00:00.123Z")
 * into buf, which holds SMI_TIMESTAMP_LEN bytes.
 */
#define SMI_TIMESTAMP_LEN 48
void smi_timestamp(char *buf, const struct timespec *ts);

#endif /* SMI_H */
