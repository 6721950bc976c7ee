// SPDX-License-Identifier: GPL-2.0-only
/*
 * tt-smi: what the tenstorrent driver knows about the memory of each card
 * and, for root, of each process.
 *
 * Cards come from libudev (subsystem "tenstorrent"); their counters are
 * read fresh from sysfs on every snapshot with open()/read(), never from
 * libudev's attribute cache. Processes come from the root-only debugfs
 * table /sys/kernel/debug/tenstorrent/<N>/processes.
 *
 * Every snapshot is put into one model, two libsmartcols tables (cards and
 * processes) with all columns, and rendered from it: the human table
 * (a subset of the columns visible, by libsmartcols), JSON, CSV and the
 * Prometheus text exposition format (written here, each string encoded
 * for its format by smi_text.c: process names are anyone's choice).
 * Output is built in memory and written at once, so a failure never
 * leaves half a document behind.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libsmartcols.h>
#include <libudev.h>

#include "smi_text.h"
#include "tenstorrent_track.h"

#define SMI_CLASS_DIR	"/sys/class/tenstorrent"
#define SMI_DEBUGFS_DIR	"/sys/kernel/debug/tenstorrent"
#define SMI_MAX_CARDS	64
#define SMI_MAX_SEL	64
#define SMI_JSON_SCHEMA	3
/* reads of a card's table before its totals hold still, see smi_read_procs() */
#define SMI_MATCH_TRIES	3

/* Exit codes, documented in tt-smi.1 */
enum {
	SMI_EXIT_OK = 0,
	SMI_EXIT_ERROR = 1,	/* usage, permission, out of memory, I/O */
	SMI_EXIT_NOMODULE = 2,	/* no /sys/class/tenstorrent */
	SMI_EXIT_NOCARD = 3,	/* no card at all, or a selected one missing */
	SMI_EXIT_BADDATA = 4,	/* a debugfs line tt-smi cannot parse */
};

/*
 * The buffer types, in the driver's order (enum tenstorrent_buffer_type):
 * X(NAME, name) for each, for the per-type columns below; their names are
 * the ABI's (TENSTORRENT_BUFFER_TYPE_NAMES).
 */
#define SMI_FOR_EACH_TYPE(X)						\
	X(DRAM, dram) X(L1, l1) X(SYSTEM_MEMORY, system_memory)		\
	X(L1_SMALL, l1_small) X(TRACE, trace) X(CB, cb) X(KERNEL, kernel)
#define SMI_NTYPES		TT_BUFFER_TYPE_COUNT

static const char *const smi_type_names[SMI_NTYPES] = {
	TENSTORRENT_BUFFER_TYPE_NAMES
};

/*
 * The memories of a card, each with its capacity in sysfs (<name>_total),
 * and the memory each type lives in: the driver refuses a record that
 * would take an open file's bytes of a memory's types together beyond its
 * capacity. Several files can still hold more than the card has (100 % and
 * more: the same buffer reported by two processes, or wrong reports).
 */
enum { SMI_M_DRAM, SMI_M_L1, SMI_M_SYSTEM_MEMORY, SMI_NMEMS };

static const char *const smi_mem_names[SMI_NMEMS] = {
	"dram", "l1", "system_memory",
};

static const unsigned char smi_type_mem[SMI_NTYPES] = {
	[TT_BUFFER_TYPE_DRAM] = SMI_M_DRAM,
	[TT_BUFFER_TYPE_TRACE] = SMI_M_DRAM,
	[TT_BUFFER_TYPE_L1] = SMI_M_L1,
	[TT_BUFFER_TYPE_L1_SMALL] = SMI_M_L1,
	[TT_BUFFER_TYPE_CB] = SMI_M_L1,
	[TT_BUFFER_TYPE_KERNEL] = SMI_M_L1,
	[TT_BUFFER_TYPE_SYSTEM_MEMORY] = SMI_M_SYSTEM_MEMORY,
};

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

struct smi_proc {
	unsigned int card;
	long pid;
	long uid;
	char comm[64];
	uint64_t buffers;
	uint64_t bytes[SMI_NTYPES];
	uint64_t peak[SMI_NTYPES];
};

enum smi_procs_state {
	SMI_PROCS_OK,		/* read every selected card's table */
	SMI_PROCS_NOROOT,	/* debugfs not readable: not root */
	SMI_PROCS_NODEBUGFS,	/* root, but debugfs not mounted */
};

struct smi_snapshot {
	struct smi_card cards[SMI_MAX_CARDS];
	size_t ncards;
	struct smi_proc *procs;
	size_t nprocs, procs_cap;
	enum smi_procs_state procs_state;
	bool driver;		/* /sys/class/tenstorrent exists */
};

enum smi_format { SMI_FMT_HUMAN, SMI_FMT_JSON, SMI_FMT_CSV, SMI_FMT_PROM };

struct smi_opts {
	enum smi_format format;
	bool bytes;
	bool color;
	bool watch;
	double interval;
	unsigned int sel[SMI_MAX_SEL];
	size_t nsel;
};

static const char *smi_prog = "tt-smi";

static void smi_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", smi_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- reading sysfs and debugfs ---------------------------------------- */

/*
 * Read a whole small file into buf (NUL-terminated, trailing newline
 * removed). Returns 0 or a negative errno.
 */
static int smi_read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	if (err)
		return err;
	buf[got] = '\0';
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = '\0';
	return 0;
}

static int smi_read_u64(const char *dir, const char *attr, uint64_t *val)
{
	char path[PATH_MAX], buf[64], *end;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	err = smi_read_file(path, buf, sizeof(buf));
	if (err)
		return err;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

/*
 * Fill one card from its class directory. A card removed while we read it
 * shows as ENOENT or ENODEV: the caller drops it.
 */
static int smi_read_card(const char *syspath, unsigned int index,
			 struct smi_card *c)
{
	char path[PATH_MAX], link[PATH_MAX], attr[64], *base;
	ssize_t n;
	int i, err;

	memset(c, 0, sizeof(*c));
	c->index = index;

	for (i = 0; i < SMI_NTYPES; i++) {
		snprintf(attr, sizeof(attr), "%s_allocated", smi_type_names[i]);
		err = smi_read_u64(syspath, attr, &c->allocated[i]);
		if (!err) {
			snprintf(attr, sizeof(attr), "%s_peak", smi_type_names[i]);
			err = smi_read_u64(syspath, attr, &c->peak[i]);
		}
		/*
		 * An older driver's card has no cb or kernel files: it holds
		 * none of them. A card removed meanwhile still fails below.
		 */
		if (err == -ENOENT && i >= TT_BUFFER_TYPE_CB)
			err = 0;
		if (err)
			return err;
	}
	err = smi_read_u64(syspath, "buffers", &c->buffers);
	if (!err)
		err = smi_read_u64(syspath, "open_files", &c->open_files);
	if (err)
		return err;
	for (i = 0; i < SMI_NMEMS; i++) {
		snprintf(attr, sizeof(attr), "%s_total", smi_mem_names[i]);
		err = smi_read_u64(syspath, attr, &c->total[i]);
		/* l1_total and system_memory_total came with ABI 2 */
		if (err == -ENOENT && i != SMI_M_DRAM)
			err = 0;
		if (err)
			return err;
	}
	for (i = 0; i < SMI_NTYPES; i++)
		c->used[smi_type_mem[i]] += c->allocated[i];

	snprintf(path, sizeof(path), "%s/card_type", syspath);
	err = smi_read_file(path, c->card_type, sizeof(c->card_type));
	if (err)
		return err;

	/* device -> ../../../0000:00:03.0 or .../tenstorrent_sim/.../ttsim0 */
	snprintf(path, sizeof(path), "%s/device", syspath);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strlen(base) >= sizeof(c->bus_id))
		return -ENAMETOOLONG;
	memcpy(c->bus_id, base, strlen(base) + 1);
	return 0;
}

static bool smi_selected(const struct smi_opts *o, unsigned int index)
{
	size_t i;

	if (!o->nsel)
		return true;
	for (i = 0; i < o->nsel; i++)
		if (o->sel[i] == index)
			return true;
	return false;
}

static int smi_card_cmp(const void *a, const void *b)
{
	const struct smi_card *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* Enumerate the cards with libudev and read each one's counters. */
static int smi_read_cards(struct udev *udev, const struct smi_opts *o,
			  struct smi_snapshot *s)
{
	struct udev_enumerate *en;
	struct udev_list_entry *e;
	int ret = 0;

	en = udev_enumerate_new(udev);
	if (!en)
		return -ENOMEM;
	if (udev_enumerate_add_match_subsystem(en, "tenstorrent") < 0 ||
	    udev_enumerate_scan_devices(en) < 0) {
		udev_enumerate_unref(en);
		return -EIO;
	}
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		const char *syspath = udev_list_entry_get_name(e);
		const char *num;
		struct udev_device *d;
		unsigned long idx;
		char *end;
		int err;

		d = udev_device_new_from_syspath(udev, syspath);
		if (!d)
			continue;	/* gone between scan and now */
		num = udev_device_get_sysnum(d);
		if (!num) {
			udev_device_unref(d);
			continue;
		}
		errno = 0;
		idx = strtoul(num, &end, 10);
		err = errno || *end || end == num || idx > UINT_MAX;
		udev_device_unref(d);
		if (err || !smi_selected(o, idx))
			continue;
		if (s->ncards == SMI_MAX_CARDS)
			break;
		err = smi_read_card(syspath, idx, &s->cards[s->ncards]);
		if (err == -ENOENT || err == -ENODEV)
			continue;	/* removed while we read it */
		if (err) {
			smi_err("%s: %s", syspath, strerror(-err));
			ret = err;
			break;
		}
		s->ncards++;
	}
	udev_enumerate_unref(en);
	qsort(s->cards, s->ncards, sizeof(s->cards[0]), smi_card_cmp);
	return ret;
}

/*
 * What each column of a debugfs processes table holds, found by its name
 * in the table's header line: a column tt-smi does not know (a later
 * driver's) is skipped, and one the file lacks (an earlier driver's) reads
 * as 0.
 */
enum {
	SMI_COL_SKIP, SMI_COL_PID, SMI_COL_UID, SMI_COL_COMM, SMI_COL_BUFFERS,
	SMI_COL_BYTES0,
	SMI_COL_PEAK0 = SMI_COL_BYTES0 + SMI_NTYPES,
};

#define SMI_MAX_COLS	128

struct smi_layout {
	unsigned char col[SMI_MAX_COLS];	/* SMI_COL_* of each column */
	size_t ncols;
	size_t comm;				/* comm's index; ncols: none */
};

static bool smi_word_is(const char *w, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(w, name, len);
}

static unsigned char smi_column_of(const char *w, size_t len)
{
	static const char *const fixed[] = { "pid", "uid", "comm", "buffers" };
	size_t i, n;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (smi_word_is(w, len, fixed[i]))
			return SMI_COL_PID + i;
	for (i = 0; i < SMI_NTYPES; i++) {
		n = strlen(smi_type_names[i]);
		if (len < n || memcmp(w, smi_type_names[i], n))
			continue;
		if (len == n)
			return SMI_COL_BYTES0 + i;
		if (smi_word_is(w + n, len - n, "_peak"))
			return SMI_COL_PEAK0 + i;
	}
	return SMI_COL_SKIP;
}

/* The layout a header line ("pid uid comm buffers dram ...") gives. */
static int smi_parse_header(const char *line, struct smi_layout *lo)
{
	const char *w = line, *e;

	lo->ncols = 0;
	lo->comm = SMI_MAX_COLS;
	for (;;) {
		while (*w == ' ')
			w++;
		if (!*w)
			break;
		e = strchr(w, ' ');
		if (!e)
			e = w + strlen(w);
		if (lo->ncols == SMI_MAX_COLS)
			return -E2BIG;
		lo->col[lo->ncols] = smi_column_of(w, e - w);
		if (lo->col[lo->ncols] == SMI_COL_COMM) {
			if (lo->comm != SMI_MAX_COLS)
				return -EINVAL;
			lo->comm = lo->ncols;
		}
		lo->ncols++;
		w = e;
	}
	if (lo->comm == SMI_MAX_COLS)
		lo->comm = lo->ncols;
	return lo->ncols ? 0 : -EINVAL;
}

/* A decimal number of n characters, without strtoull's locale machinery */
static int smi_parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* Store the word [w, w + n) of column i of the layout into p. */
static int smi_proc_field(struct smi_proc *p, unsigned char col,
			  const char *w, size_t n)
{
	uint64_t v;

	if (col == SMI_COL_SKIP)
		return 0;
	if (col == SMI_COL_COMM)
		return smi_comm_decode(w, n, p->comm, sizeof(p->comm)) < 0 ?
		       -EINVAL : 0;
	if (smi_parse_u64(w, n, &v))
		return -EINVAL;
	if (col == SMI_COL_PID)
		p->pid = (long)v;
	else if (col == SMI_COL_UID)
		p->uid = (long)v;
	else if (col == SMI_COL_BUFFERS)
		p->buffers = v;
	else if (col < SMI_COL_PEAK0)
		p->bytes[col - SMI_COL_BYTES0] = v;
	else
		p->peak[col - SMI_COL_PEAK0] = v;
	return 0;
}

/*
 * Parse one line of debugfs processes by the layout of its header: the
 * columns before comm from the left, those after it from the right, and
 * comm what is between. The driver escapes comm into one field
 * (smi_comm_decode() undoes it); an older driver's comm, unescaped, may
 * hold spaces.
 */
static int smi_parse_proc(const char *line, const struct smi_layout *lo,
			  struct smi_proc *p)
{
	const char *w = line, *end = line + strlen(line), *e;
	size_t i;

	for (i = 0; i < lo->comm; i++) {
		while (*w == ' ')
			w++;
		e = strchr(w, ' ');
		if (!e)
			e = end;
		if (w == e || smi_proc_field(p, lo->col[i], w, e - w))
			return -EINVAL;
		w = e;
	}
	if (lo->comm == lo->ncols)
		return 0;
	if (lo->comm) {
		if (*w != ' ')
			return -EINVAL;
		w++;	/* one space: comm itself may start with one */
	}
	for (i = lo->ncols - 1; i > lo->comm; i--) {
		while (end > w && end[-1] == ' ')
			end--;
		for (e = end; e > w && e[-1] != ' '; e--)
			;
		if (e == end || e == w ||
		    smi_proc_field(p, lo->col[i], e, end - e))
			return -EINVAL;
		end = e - 1;
	}
	return smi_proc_field(p, SMI_COL_COMM, w, end - w);
}

/* A line tt-smi cannot parse: said on stderr, never skipped */
static void smi_bad_line(const char *path, size_t lineno, const char *what,
			 const char *line, size_t n)
{
	struct smi_out esc = { 0 };
	char *copy = strndup(line, n > 200 ? 200 : n);

	if (copy)
		smi_put_human(&esc, copy);
	smi_err("%s: line %zu: %s: \"%s%s\"", path, lineno, what,
		esc.buf ? esc.buf : "", n > 200 ? "..." : "");
	free(esc.buf);
	free(copy);
}

static int smi_add_proc(struct smi_snapshot *s, const struct smi_proc *p)
{
	if (s->nprocs == s->procs_cap) {
		size_t cap = s->procs_cap ? 2 * s->procs_cap : 64;
		struct smi_proc *np = realloc(s->procs, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		s->procs = np;
		s->procs_cap = cap;
	}
	s->procs[s->nprocs++] = *p;
	return 0;
}

/*
 * Append the rows of card c's debugfs processes to s->procs. Returns 0,
 * -ENOENT when the card is gone, -EACCES, -EBADMSG for a header or line
 * it cannot parse (said), or another negative errno (said).
 */
static int smi_read_card_procs(struct smi_snapshot *s, const struct smi_card *c)
{
	struct smi_layout lo = { .ncols = 0 };	/* until the header */
	char path[PATH_MAX], *line = NULL;
	size_t linecap = 0, lineno = 0;
	ssize_t n;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/processes", SMI_DEBUGFS_DIR, c->index);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		if (err == -ENOENT || err == -ENODEV)
			return -ENOENT;		/* card removed meanwhile */
		if (err == -EACCES || err == -EPERM)
			return -EACCES;
		smi_err("%s: %s", path, strerror(-err));
		return err;
	}
	while ((n = getline(&line, &linecap, f)) > 0) {
		struct smi_proc p = { .card = c->index };

		lineno++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if ((size_t)n != strlen(line)) {
			smi_bad_line(path, lineno, "a NUL byte", line, n);
			err = -EBADMSG;
		} else if (!lo.ncols) {
			if (smi_parse_header(line, &lo)) {
				smi_bad_line(path, lineno, "a header tt-smi cannot read",
					     line, n);
				err = -EBADMSG;
			}
		} else if (smi_parse_proc(line, &lo, &p)) {
			smi_bad_line(path, lineno, "a line tt-smi cannot parse",
				     line, n);
			err = -EBADMSG;
		} else {
			err = smi_add_proc(s, &p);
		}
		if (err)
			break;
	}
	if (!err && ferror(f)) {
		err = -errno;
		smi_err("%s: %s", path, strerror(-err));
	} else if (!err && !lo.ncols) {
		smi_err("%s: no header line", path);
		err = -EBADMSG;
	}
	fclose(f);
	free(line);
	return err;
}

/* The totals a card's process rows must add up to */
static bool smi_same_totals(const struct smi_card *a, const struct smi_card *b)
{
	return !memcmp(a->allocated, b->allocated, sizeof(a->allocated)) &&
	       a->buffers == b->buffers && a->open_files == b->open_files;
}

/* Whether rows[0..n) of card c add up to its totals; the sums into c */
static void smi_judge(struct smi_card *c, const struct smi_proc *rows, size_t n)
{
	uint64_t bytes[SMI_NTYPES] = { 0 }, buffers = 0, all = 0;
	size_t i;
	int t;

	for (i = 0; i < n; i++) {
		buffers += rows[i].buffers;
		for (t = 0; t < SMI_NTYPES; t++)
			bytes[t] += rows[i].bytes[t];
	}
	for (t = 0; t < SMI_NTYPES; t++)
		all += bytes[t];
	c->row_files = n;
	c->row_buffers = buffers;
	c->row_bytes = all;
	c->match = n == c->open_files && buffers == c->buffers &&
		   !memcmp(bytes, c->allocated, sizeof(bytes)) ?
		   SMI_MATCH_YES : SMI_MATCH_NO;
}

/*
 * Read each card's debugfs processes and judge whether its rows add up to
 * its sysfs totals. sysfs and debugfs are read at different moments:
 * the card's totals are read again after its table, and the table again
 * (up to SMI_MATCH_TRIES times) when they moved meanwhile; a card whose
 * totals never held still is not judged.
 */
static int smi_read_procs(struct smi_snapshot *s)
{
	struct stat st;
	size_t i;
	int err;

	if (access(SMI_DEBUGFS_DIR, R_OK | X_OK)) {
		if (errno == EACCES || errno == EPERM || geteuid() != 0) {
			s->procs_state = SMI_PROCS_NOROOT;
			return 0;
		}
		if (stat("/sys/kernel/debug", &st) == 0 && geteuid() == 0) {
			s->procs_state = SMI_PROCS_NODEBUGFS;
			return 0;
		}
		s->procs_state = SMI_PROCS_NOROOT;
		return 0;
	}
	s->procs_state = SMI_PROCS_OK;

	for (i = 0; i < s->ncards; i++) {
		struct smi_card *c = &s->cards[i], again;
		size_t first = s->nprocs;
		char syspath[PATH_MAX];
		int try;

		snprintf(syspath, sizeof(syspath), "%s/tenstorrent!%u",
			 SMI_CLASS_DIR, c->index);
		for (try = 0; try < SMI_MATCH_TRIES; try++) {
			s->nprocs = first;
			err = smi_read_card_procs(s, c);
			if (err == -ENOENT)
				break;
			if (err == -EACCES) {
				s->procs_state = SMI_PROCS_NOROOT;
				s->nprocs = 0;
				return 0;
			}
			if (err)
				return err;
			err = smi_read_card(syspath, c->index, &again);
			if (err == -ENOENT || err == -ENODEV)
				break;		/* removed meanwhile */
			if (err) {
				smi_err("%s: %s", syspath, strerror(-err));
				return err;
			}
			if (smi_same_totals(c, &again)) {
				smi_judge(c, s->procs + first, s->nprocs - first);
				break;
			}
			*c = again;
		}
	}
	return 0;
}

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

/* <type>_allocated and <type>_peak of a card, for each type */
#define SMI_CARD_TYPE_COLS(NAME, name)					\
	[CC_ALLOC0 + TT_BUFFER_TYPE_##NAME] = { #NAME "_ALLOCATED", NULL, SMI_MACHINE,	\
		SCOLS_JSON_NUMBER, true, "tenstorrent_memory_allocated_bytes",	\
		#name, SMI_ALLOC_HELP },					\
	[CC_PEAK0 + TT_BUFFER_TYPE_##NAME] = { #NAME "_PEAK", NULL, SMI_MACHINE,	\
		SCOLS_JSON_NUMBER, true, "tenstorrent_memory_peak_bytes",	\
		#name, SMI_PEAK_HELP },

static const struct smi_coldef smi_card_cols[CC_NCOLS] = {
	[CC_CARD]	= { "CARD", "CARD", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[CC_BUS]	= { "BUS_ID", "BUS ID", SMI_BOTH, SCOLS_JSON_STRING },
	[CC_TYPE]	= { "CARD_TYPE", "TYPE", SMI_BOTH, SCOLS_JSON_STRING },
	[CC_DRAM_H]	= { "DRAM_H", "DRAM USED/TOTAL", SMI_HUMAN, 0, true },
	[CC_DRAM_PCT]	= { "DRAM_PERCENT", "DRAM%", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[CC_BAR]	= { "BAR", "USAGE", SMI_HUMAN, 0 },
	[CC_L1_H]	= { "L1_H", "L1 USED/TOTAL", SMI_HUMAN, 0, true },
	[CC_L1_PCT]	= { "L1_PERCENT", "L1%", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[CC_SYSMEM_H]	= { "SYSTEM_MEMORY_H", "SYS MEM", SMI_HUMAN, 0, true },
	[CC_TOTAL0 + SMI_M_DRAM] = { "DRAM_TOTAL", NULL, SMI_MACHINE,
			    SCOLS_JSON_NUMBER, true, "tenstorrent_dram_total_bytes", NULL,
			    "DRAM of the card in bytes (0: unknown)" },
	[CC_TOTAL0 + SMI_M_L1] = { "L1_TOTAL", NULL, SMI_MACHINE,
			    SCOLS_JSON_NUMBER, true, "tenstorrent_l1_total_bytes", NULL,
			    "L1 of the card in bytes, all its cores together (0: unknown)" },
	[CC_TOTAL0 + SMI_M_SYSTEM_MEMORY] = { "SYSTEM_MEMORY_TOTAL", NULL, SMI_MACHINE,
			    SCOLS_JSON_NUMBER, true, "tenstorrent_system_memory_total_bytes", NULL,
			    "Host memory the card's system memory buffers may take in bytes (0: unknown)" },
	SMI_FOR_EACH_TYPE(SMI_CARD_TYPE_COLS)
	[CC_BUFFERS]	= { "BUFFERS", "BUFFERS", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_buffers", NULL, "Live buffer records of the card" },
	[CC_FILES]	= { "OPEN_FILES", "FILES", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_open_files", NULL, "Open files of /dev/tenstorrent/N" },
	/* "true", "false", or empty: not judged */
	[CC_MATCH]	= { "PROCESSES_MATCH", NULL, SMI_MACHINE, SCOLS_JSON_BOOLEAN, false,
			    "tenstorrent_processes_match", NULL,
			    "1 when the card's process rows add up to its sysfs totals, 0 when they do not (absent: not judged)" },
};

enum {
	PC_PID, PC_USER, PC_UID, PC_COMM, PC_CARD, PC_TYPE_H0,
	PC_BUFFERS = PC_TYPE_H0 + SMI_NTYPES, PC_PEAK_H, PC_BYTES0,
	PC_PEAK0 = PC_BYTES0 + SMI_NTYPES, PC_NCOLS = PC_PEAK0 + SMI_NTYPES,
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

/* <type> and <type>_peak of a process, for each type */
#define SMI_PROC_TYPE_COLS(NAME, name)					\
	[PC_BYTES0 + TT_BUFFER_TYPE_##NAME] = { #NAME, NULL, SMI_MACHINE,		\
		SCOLS_JSON_NUMBER, true,					\
		"tenstorrent_process_memory_allocated_bytes", #name,		\
		SMI_PALLOC_HELP },						\
	[PC_PEAK0 + TT_BUFFER_TYPE_##NAME] = { #NAME "_PEAK", NULL, SMI_MACHINE,	\
		SCOLS_JSON_NUMBER, true,					\
		"tenstorrent_process_memory_peak_bytes", #name,			\
		SMI_PPEAK_HELP },

static const struct smi_coldef smi_proc_cols[PC_NCOLS] = {
	[PC_PID]	= { "PID", "PID", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[PC_USER]	= { "USER", "USER", SMI_BOTH, SCOLS_JSON_STRING },
	[PC_UID]	= { "UID", NULL, SMI_MACHINE, SCOLS_JSON_NUMBER, true },
	[PC_COMM]	= { "COMM", "COMMAND", SMI_BOTH, SCOLS_JSON_STRING },
	[PC_CARD]	= { "CARD", "CARD", SMI_BOTH, SCOLS_JSON_NUMBER, true },
	[PC_TYPE_H0 + 0] = { "DRAM_H", "DRAM", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 1] = { "L1_H", "L1", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 2] = { "L1_SMALL_H", "L1 SMALL", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 3] = { "TRACE_H", "TRACE", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 4] = { "CB_H", "CB", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 5] = { "KERNEL_H", "KERNEL", SMI_HUMAN, 0, true },
	[PC_TYPE_H0 + 6] = { "SYSTEM_MEMORY_H", "SYS MEM", SMI_HUMAN, 0, true },
	[PC_BUFFERS]	= { "BUFFERS", "BUFFERS", SMI_BOTH, SCOLS_JSON_NUMBER, true,
			    "tenstorrent_process_buffers", NULL,
			    "Live buffer records in the files a process opened" },
	[PC_PEAK_H]	= { "PEAK_H", "DRAM PEAK", SMI_HUMAN, 0, true },
	SMI_FOR_EACH_TYPE(SMI_PROC_TYPE_COLS)
};

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

static struct libscols_table *smi_new_table(const char *name,
					    const struct smi_coldef *defs,
					    size_t ncols,
					    const struct smi_opts *o)
{
	struct libscols_table *tb = scols_new_table();
	bool human = o->format == SMI_FMT_HUMAN;
	size_t i;

	if (!tb)
		return NULL;
	scols_table_set_name(tb, name);
	for (i = 0; i < ncols; i++) {
		const struct smi_coldef *d = &defs[i];
		bool hidden = d->vis == smi_skipped(o);
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

static int smi_fill_procs(struct libscols_table *tb, const struct smi_snapshot *s,
			  const struct smi_opts *o)
{
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
	default:
		return NULL;
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
	char *str;

	if (smi_table_string(cards, &str))
		return -ENOMEM;
	smi_puts(out, str);
	smi_puts(out, "\n");
	free(str);
	if (s->procs_state != SMI_PROCS_OK) {
		smi_printf(out, "\n%s\n", smi_procs_hint(s));
	} else if (!s->nprocs) {
		smi_puts(out, "\nNo process has a card open.\n");
	} else {
		if (smi_table_string(procs, &str))
			return -ENOMEM;
		smi_printf(out, "\n%s\n", str);
		free(str);
	}
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

/* The columns of a table and how many, for the renderers */
struct smi_cols {
	const struct smi_coldef *defs;
	size_t n;
};

/* One object of a JSON array: the machine columns, typed */
static void smi_json_line(struct smi_out *out, struct libscols_line *ln,
			  size_t i, const void *arg)
{
	const struct smi_cols *cols = arg;
	bool first = true;
	size_t c;

	smi_puts(out, i ? ",\n      {" : "\n      {");
	for (c = 0; c < cols->n; c++) {
		const struct smi_coldef *d = &cols->defs[c];
		const char *v = smi_cell(ln, c);
		const char *k;

		if (d->vis == SMI_HUMAN)
			continue;
		smi_puts(out, first ? "\n         \"" : ",\n         \"");
		first = false;
		for (k = d->name; *k; k++) {
			char lc = (char)tolower((unsigned char)*k);

			smi_putn(out, &lc, 1);
		}
		smi_puts(out, "\": ");
		if (d->json == SCOLS_JSON_STRING)
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

static int smi_render_json(struct smi_out *out, struct libscols_table *cards,
			   struct libscols_table *procs,
			   const struct smi_snapshot *s)
{
	const struct smi_cols cc = { smi_card_cols, CC_NCOLS };
	const struct smi_cols pc = { smi_proc_cols, PC_NCOLS };

	smi_printf(out, "{\n   \"schema\": %d,\n", SMI_JSON_SCHEMA);
	smi_printf(out, "   \"processes_available\": %s,\n",
		   s->procs_state == SMI_PROCS_OK ? "true" : "false");
	smi_json_array(out, "cards", cards, &cc);
	smi_puts(out, ",\n");
	smi_json_array(out, "processes", procs, &pc);
	smi_puts(out, "\n}\n");
	return 0;
}

/* One CSV record of the machine columns; line NULL: the header */
static void smi_csv_line(struct smi_out *out, struct libscols_line *ln,
			 size_t i, const void *arg)
{
	const struct smi_cols *cols = arg;
	bool first = true;
	size_t c;

	(void)i;
	for (c = 0; c < cols->n; c++) {
		if (cols->defs[c].vis == SMI_HUMAN)
			continue;
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
 * record per process. smi_put_csv() quotes what needs it.
 */
static int smi_render_csv(struct smi_out *out, struct libscols_table *cards,
			  struct libscols_table *procs,
			  const struct smi_snapshot *s)
{
	const struct smi_cols cc = { smi_card_cols, CC_NCOLS };
	const struct smi_cols pc = { smi_proc_cols, PC_NCOLS };

	smi_csv_line(out, NULL, 0, &cc);
	smi_each_line(out, cards, smi_csv_line, &cc);
	if (s->procs_state != SMI_PROCS_OK)
		return 0;
	smi_puts(out, "\n");
	smi_csv_line(out, NULL, 0, &pc);
	smi_each_line(out, procs, smi_csv_line, &pc);
	return 0;
}

/* The labels of each sample of a table, and the columns they come from */
struct smi_prom_label {
	const char *name;
	size_t col;
};

static const struct smi_prom_label smi_card_labels[] = {
	{ "card", CC_CARD }, { "bus_id", CC_BUS }, { "card_type", CC_TYPE },
	{ NULL },
};

static const struct smi_prom_label smi_proc_labels[] = {
	{ "card", PC_CARD }, { "pid", PC_PID }, { "uid", PC_UID },
	{ "comm", PC_COMM }, { NULL },
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

/*
 * Also without the driver or a card: a document that says so, for a
 * timer that replaces the textfile collector's file each run.
 */
static int smi_render_prom(struct smi_out *out, struct libscols_table *cards,
			   struct libscols_table *procs,
			   const struct smi_snapshot *s)
{
	smi_puts(out, "# HELP tenstorrent_driver_loaded 1 when the tenstorrent driver is loaded (/sys/class/tenstorrent exists), else 0\n"
		      "# TYPE tenstorrent_driver_loaded gauge\n");
	smi_printf(out, "tenstorrent_driver_loaded %d\n", s->driver ? 1 : 0);
	smi_puts(out, "# HELP tenstorrent_cards Cards the tenstorrent driver shows (of those selected)\n"
		      "# TYPE tenstorrent_cards gauge\n");
	smi_printf(out, "tenstorrent_cards %zu\n", s->ncards);
	smi_prom_table(out, cards, smi_card_cols, CC_NCOLS, smi_card_labels);
	if (s->procs_state == SMI_PROCS_OK)
		smi_prom_table(out, procs, smi_proc_cols, PC_NCOLS, smi_proc_labels);
	return 0;
}

/* Build the model of one snapshot and render it into out. */
static int smi_render(struct smi_out *out, const struct smi_snapshot *s,
		      const struct smi_opts *o)
{
	struct libscols_table *cards, *procs;
	int err = -ENOMEM;

	cards = smi_new_table("cards", smi_card_cols, CC_NCOLS, o);
	procs = smi_new_table("processes", smi_proc_cols, PC_NCOLS, o);
	if (!cards || !procs)
		goto out_unref;
	if (o->format == SMI_FMT_HUMAN && o->color) {
		scols_table_enable_colors(cards, 1);
		scols_table_enable_colors(procs, 1);
	}
	err = smi_fill_cards(cards, s, o);
	if (!err)
		err = smi_fill_procs(procs, s, o);
	if (err)
		goto out_unref;

	switch (o->format) {
	case SMI_FMT_HUMAN:
		err = smi_render_human(out, cards, procs, s, o);
		break;
	case SMI_FMT_JSON:
		err = smi_render_json(out, cards, procs, s);
		break;
	case SMI_FMT_CSV:
		err = smi_render_csv(out, cards, procs, s);
		break;
	case SMI_FMT_PROM:
		err = smi_render_prom(out, cards, procs, s);
		break;
	}
	if (!err && out->oom)
		err = -ENOMEM;
out_unref:
	scols_unref_table(procs);
	scols_unref_table(cards);
	return err;
}

static int smi_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---- one snapshot ------------------------------------------------------- */

static void smi_snapshot_free(struct smi_snapshot *s)
{
	free(s->procs);
	s->procs = NULL;
	s->nprocs = 0;
	s->procs_cap = 0;
	s->ncards = 0;
}

/*
 * Report a missing driver or card: on stderr, or in --watch on the screen
 * (which waits for them), so that each refresh does not repeat it there.
 */
static void smi_missing(const struct smi_opts *o, struct smi_out *out,
			const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (o->watch)
		smi_printf(out, "%s\n", msg);
	else
		smi_err("%s", msg);
	free(msg);
}

/*
 * Take a snapshot and render it into out. Returns an exit code; messages
 * for errors are printed here. --prometheus renders a document without
 * the driver or a card too (exit 0), saying so: a timer that writes the
 * textfile collector's file replaces the last one.
 */
static int smi_snapshot_render(struct udev *udev, const struct smi_opts *o,
			       struct smi_out *out)
{
	bool prom = o->format == SMI_FMT_PROM;
	struct smi_snapshot *s;
	size_t i, j;
	int err, rc = SMI_EXIT_OK;

	s = calloc(1, sizeof(*s));
	if (!s) {
		smi_err("out of memory");
		return SMI_EXIT_ERROR;
	}
	s->driver = !access(SMI_CLASS_DIR, F_OK);
	if (!s->driver) {
		smi_missing(o, out, "the tenstorrent driver is not loaded (no %s); load it with: modprobe tenstorrent",
			    SMI_CLASS_DIR);
		rc = SMI_EXIT_NOMODULE;
		if (!prom)
			goto out;
		s->procs_state = SMI_PROCS_NOROOT;	/* none to show */
		goto render;
	}
	err = smi_read_cards(udev, o, s);
	if (err == -EACCES || err == -EPERM) {
		smi_err("permission denied reading %s", SMI_CLASS_DIR);
		rc = SMI_EXIT_ERROR;
		goto out;
	} else if (err) {
		rc = SMI_EXIT_ERROR;
		goto out;
	}
	for (i = 0; i < o->nsel; i++) {
		for (j = 0; j < s->ncards; j++)
			if (s->cards[j].index == o->sel[i])
				break;
		if (j == s->ncards) {
			smi_missing(o, out, "no card %u (see %s/)", o->sel[i],
				    SMI_CLASS_DIR);
			rc = SMI_EXIT_NOCARD;
			if (!o->watch && !prom)
				goto out;
		}
	}
	if (!s->ncards && !o->nsel) {
		smi_missing(o, out, "no tenstorrent card found (the driver is loaded but shows no card)");
		rc = SMI_EXIT_NOCARD;
		if (!o->watch && !prom)
			goto out;
	}
	err = smi_read_procs(s);
	if (err == -EBADMSG) {
		rc = SMI_EXIT_BADDATA;	/* said where and what */
		goto out;
	} else if (err) {
		smi_err("reading processes: %s", strerror(-err));
		rc = SMI_EXIT_ERROR;
		goto out;
	}
render:
	err = smi_render(out, s, o);
	if (err) {
		smi_err("rendering: %s", strerror(-err));
		rc = SMI_EXIT_ERROR;
	} else if (prom) {
		rc = SMI_EXIT_OK;
	}
out:
	smi_snapshot_free(s);
	free(s);
	return rc;
}

/* ---- --watch ------------------------------------------------------------ */

static volatile sig_atomic_t smi_stop;

static void smi_on_signal(int sig)
{
	(void)sig;
	smi_stop = 1;
}

/* Attributes whose POLLPRI wakes the watch loop early */
static const char *const smi_watch_attrs[] = {
	"dram_allocated", "l1_allocated", "buffers", "open_files",
};

#define SMI_WATCH_FDS (1 + SMI_MAX_CARDS * 4)

/*
 * Open the notified attributes of every card and read them once to arm
 * poll(). Returns the number of entries filled after the monitor's.
 */
static size_t smi_watch_arm(struct udev *udev, struct pollfd *pfd, size_t max)
{
	struct udev_enumerate *en = udev_enumerate_new(udev);
	struct udev_list_entry *e;
	size_t n = 0, a;

	if (!en)
		goto out;
	udev_enumerate_add_match_subsystem(en, "tenstorrent");
	udev_enumerate_scan_devices(en);
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		for (a = 0; a < sizeof(smi_watch_attrs) / sizeof(smi_watch_attrs[0]); a++) {
			char path[PATH_MAX], buf[64];
			int fd;

			if (n == max)
				goto out;
			snprintf(path, sizeof(path), "%s/%s",
				 udev_list_entry_get_name(e), smi_watch_attrs[a]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (read(fd, buf, sizeof(buf)) < 0) {
				close(fd);
				continue;
			}
			pfd[n].fd = fd;
			pfd[n].events = POLLPRI | POLLERR;
			pfd[n].revents = 0;
			n++;
		}
	}
out:
	if (en)
		udev_enumerate_unref(en);
	return n;
}

static int smi_watch(struct udev *udev, const struct smi_opts *o)
{
	struct udev_monitor *mon;
	struct pollfd pfd[SMI_WATCH_FDS];
	struct sigaction sa = { .sa_handler = smi_on_signal };
	bool tty = isatty(STDOUT_FILENO);
	int rc = SMI_EXIT_OK;
	size_t i, n;

	/* The monitor first, then enumerate: no card is missed in between. */
	mon = udev_monitor_new_from_netlink(udev, "udev");
	if (!mon || udev_monitor_filter_add_match_subsystem_devtype(mon, "tenstorrent", NULL) ||
	    udev_monitor_enable_receiving(mon)) {
		/* no udev daemon (or no netlink): fall back to the kernel's events */
		if (mon)
			udev_monitor_unref(mon);
		mon = udev_monitor_new_from_netlink(udev, "kernel");
		if (!mon || udev_monitor_filter_add_match_subsystem_devtype(mon, "tenstorrent", NULL) ||
		    udev_monitor_enable_receiving(mon)) {
			smi_err("cannot create a udev monitor");
			if (mon)
				udev_monitor_unref(mon);
			return SMI_EXIT_ERROR;
		}
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (tty)	/* the alternate screen, cursor hidden; restored at exit */
		smi_write_all(STDOUT_FILENO, "\033[?1049h\033[?25l", 14);

	while (!smi_stop) {
		struct smi_out out = { 0 };
		char head[128];
		time_t now = time(NULL);
		struct tm tm;
		int timeout = (int)(o->interval * 1000.0);

		localtime_r(&now, &tm);
		strftime(head, sizeof(head), "tt-smi  %Y-%m-%d %H:%M:%S", &tm);
		smi_printf(&out, "%s%s  (every %gs, Ctrl-C quits)\n\n",
			   tty ? "\033[H\033[2J" : "", head, o->interval);
		n = 1 + smi_watch_arm(udev, pfd + 1, SMI_WATCH_FDS - 1);
		rc = smi_snapshot_render(udev, o, &out);
		if (rc == SMI_EXIT_NOMODULE || rc == SMI_EXIT_NOCARD)
			smi_puts(&out, "(waiting for cards)\n");
		else if (rc != SMI_EXIT_OK) {
			free(out.buf);
			break;
		}
		if (!tty)
			smi_puts(&out, "\n");
		if (out.oom || smi_write_all(STDOUT_FILENO, out.buf, out.len)) {
			free(out.buf);
			rc = SMI_EXIT_ERROR;
			break;
		}
		free(out.buf);
		rc = SMI_EXIT_OK;

		pfd[0].fd = udev_monitor_get_fd(mon);
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		if (poll(pfd, n, timeout) > 0 && (pfd[0].revents & POLLIN)) {
			struct udev_device *d;

			/* drain: one redraw for a burst of events */
			while ((d = udev_monitor_receive_device(mon)))
				udev_device_unref(d);
		}
		for (i = 1; i < n; i++)
			close(pfd[i].fd);
		/* changes are coalesced to 10/s by the driver; so is the redraw */
		if (!smi_stop)
			usleep(100000);
	}
	if (tty)
		smi_write_all(STDOUT_FILENO, "\033[?25h\033[?1049l", 14);
	udev_monitor_unref(mon);
	return rc;
}

/* ---- command line ------------------------------------------------------- */

static void smi_usage(FILE *f)
{
	fprintf(f,
"Usage: tt-smi [options]\n"
"Show the device memory the tenstorrent driver tracks: per card (anyone)\n"
"and per process (root).\n"
"\n"
"Options:\n"
"  -d, --device N[,N...]  only these cards (repeatable)\n"
"  -b, --bytes            exact byte counts instead of KiB/MiB/GiB\n"
"  -j, --json             JSON (schema %d, see tt-smi(1))\n"
"  -c, --csv              CSV: cards, then a blank line and processes\n"
"  -p, --prometheus       Prometheus text exposition format\n"
"  -w, --watch [SECONDS]  refresh in place every SECONDS (default 1) and\n"
"                         at once when a card or its totals change\n"
"      --color[=WHEN]     never, always or auto (default: on a terminal)\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 ok, 1 error (usage, permission, I/O), 2 driver not loaded,\n"
"3 no card / selected card missing, 4 a debugfs line tt-smi cannot parse.\n"
"--prometheus writes a document without the driver or a card too (exit 0).\n",
		SMI_JSON_SCHEMA);
}

static int smi_parse_devices(struct smi_opts *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(tok, &end, 10);
		if (errno || end == tok || *end || v > UINT_MAX || !isdigit((unsigned char)*tok) ||
		    o->nsel == SMI_MAX_SEL) {
			ret = -EINVAL;
			break;
		}
		o->sel[o->nsel++] = (unsigned int)v;
	}
	free(copy);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "color", optional_argument, NULL, 'C' },
		{ "colour", optional_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct smi_opts o = { .format = SMI_FMT_HUMAN, .interval = 1.0 };
	int color = -1;		/* auto */
	int nfmt = 0, opt, rc;
	struct udev *udev;
	struct smi_out out = { 0 };

	while ((opt = getopt_long(argc, argv, "d:bjcpw::h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (smi_parse_devices(&o, optarg)) {
				smi_err("bad card number list '%s'", optarg);
				return SMI_EXIT_ERROR;
			}
			break;
		case 'b':
			o.bytes = true;
			break;
		case 'j':
			o.format = SMI_FMT_JSON;
			nfmt++;
			break;
		case 'c':
			o.format = SMI_FMT_CSV;
			nfmt++;
			break;
		case 'p':
			o.format = SMI_FMT_PROM;
			nfmt++;
			break;
		case 'w': {
			const char *arg = optarg;
			char *end;

			/* "--watch 2" as well as "--watch=2" and "-w2" */
			if (!arg && optind < argc && isdigit((unsigned char)argv[optind][0]))
				arg = argv[optind++];
			o.watch = true;
			if (arg) {
				o.interval = strtod(arg, &end);
				if (*end || o.interval < 0.1 || o.interval > 86400) {
					smi_err("bad --watch interval '%s' (0.1 to 86400 seconds)", arg);
					return SMI_EXIT_ERROR;
				}
			}
			break;
		}
		case 'C':
			if (!optarg || !strcmp(optarg, "always"))
				color = 1;
			else if (!strcmp(optarg, "never"))
				color = 0;
			else if (!strcmp(optarg, "auto"))
				color = -1;
			else {
				smi_err("bad --color value '%s' (never, always, auto)", optarg);
				return SMI_EXIT_ERROR;
			}
			break;
		case 'h':
			smi_usage(stdout);
			return SMI_EXIT_OK;
		default:
			smi_usage(stderr);
			return SMI_EXIT_ERROR;
		}
	}
	if (optind < argc) {
		smi_err("unexpected argument '%s'", argv[optind]);
		smi_usage(stderr);
		return SMI_EXIT_ERROR;
	}
	if (nfmt > 1) {
		smi_err("--json, --csv and --prometheus exclude each other");
		return SMI_EXIT_ERROR;
	}
	if (o.watch && o.format != SMI_FMT_HUMAN) {
		smi_err("--watch shows the human table only");
		return SMI_EXIT_ERROR;
	}
	if (color < 0) {
		const char *term = getenv("TERM");

		o.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") &&
			  term && *term && strcmp(term, "dumb");
	}
	else
		o.color = color;

	udev = udev_new();
	if (!udev) {
		smi_err("cannot initialise libudev");
		return SMI_EXIT_ERROR;
	}
	if (o.watch) {
		rc = smi_watch(udev, &o);
	} else {
		rc = smi_snapshot_render(udev, &o, &out);
		if (rc == SMI_EXIT_OK) {
			int err = smi_write_all(STDOUT_FILENO, out.buf, out.len);

			if (err) {
				smi_err("writing output: %s", strerror(-err));
				rc = SMI_EXIT_ERROR;
			}
		}
		free(out.buf);
	}
	udev_unref(udev);
	return rc;
}
