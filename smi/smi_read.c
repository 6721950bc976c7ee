// SPDX-License-Identifier: GPL-2.0-only
/*
 * tt-smi: sysfs and debugfs into a snapshot. The cards, with their bus
 * ids, types and sizes, come from libttkmd's listing (tt_list_cards());
 * a card's counters are read with open()/read() on every snapshot; its
 * debugfs processes table is read by the names in its header line, so
 * that an older or a later driver's table still reads, and judged against
 * the card's sysfs totals.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smi.h"
#include "ttkmd.h"

#define SMI_DEBUGFS_DIR	"/sys/kernel/debug/tenstorrent"
/* reads of a card's table before its totals hold still, see smi_read_procs() */
#define SMI_MATCH_TRIES	3

const char *const smi_type_names[SMI_NTYPES] = {
	TENSTORRENT_BUFFER_TYPE_NAMES
};

/* The memory each type lives in */
static const unsigned char smi_type_mem[SMI_NTYPES] = {
	[TT_BUFFER_TYPE_DRAM] = SMI_M_DRAM,
	[TT_BUFFER_TYPE_TRACE] = SMI_M_DRAM,
	[TT_BUFFER_TYPE_L1] = SMI_M_L1,
	[TT_BUFFER_TYPE_L1_SMALL] = SMI_M_L1,
	[TT_BUFFER_TYPE_CB] = SMI_M_L1,
	[TT_BUFFER_TYPE_KERNEL] = SMI_M_L1,
	[TT_BUFFER_TYPE_SYSTEM_MEMORY] = SMI_M_SYSTEM_MEMORY,
};

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

/* Card c's class directory, in buf[len] */
static void smi_card_syspath(const struct smi_card *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/tenstorrent!%u", SMI_CLASS_DIR, c->index);
}

/*
 * Read one card's counters from its class directory into c, whose
 * counters are 0. A card removed while we read it shows as ENOENT or
 * ENODEV: the caller drops it.
 */
static int smi_read_counters(const char *syspath, struct smi_card *c)
{
	char attr[64];
	int i, err;

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
	for (i = 0; i < SMI_NTYPES; i++)
		c->used[smi_type_mem[i]] += c->allocated[i];
	return 0;
}

/* A card's counters zeroed, what the listing gave kept */
static void smi_clear_counters(struct smi_card *c)
{
	memset(c->allocated, 0, sizeof(c->allocated));
	memset(c->peak, 0, sizeof(c->peak));
	memset(c->used, 0, sizeof(c->used));
	c->buffers = 0;
	c->open_files = 0;
}

bool smi_sel_matches(const struct smi_sel *sel, const struct smi_card *c)
{
	return sel->by_bus ? !strcasecmp(sel->bus_id, c->bus_id) :
			     sel->index == c->index;
}

/* Whether card c (its index and bus id in it) is selected */
static bool smi_selected(const struct smi_opts *o, const struct smi_card *c)
{
	size_t i;

	if (!o->nsel)
		return true;
	for (i = 0; i < o->nsel; i++)
		if (smi_sel_matches(&o->sel[i], c))
			return true;
	return false;
}

/*
 * The cards from libttkmd's listing (index, bus id, type, sizes), and the
 * counters of each one o selects. An older driver's card without the
 * l1_total and system_memory_total of ABI 2 has them 0: not known.
 */
int smi_read_cards(const struct smi_opts *o, struct smi_snapshot *s)
{
	tt_card_info_t *info;
	int n, i, ret = 0;

	info = calloc(SMI_MAX_CARDS, sizeof(*info));
	if (!info)
		return -ENOMEM;
	n = tt_list_cards(info, SMI_MAX_CARDS);
	if (n == -ENOENT)
		n = 0;		/* the driver unloaded meanwhile */
	if (n < 0) {
		free(info);
		return n;
	}
	for (i = 0; i < n && i < SMI_MAX_CARDS; i++) {
		struct smi_card *c = &s->cards[s->ncards];
		char syspath[PATH_MAX];
		int err;

		memset(c, 0, sizeof(*c));
		c->index = (unsigned int)info[i].index;
		snprintf(c->bus_id, sizeof(c->bus_id), "%s", info[i].bus_id);
		snprintf(c->card_type, sizeof(c->card_type), "%s", info[i].card_type);
		c->total[SMI_M_DRAM] = info[i].dram_total;
		c->total[SMI_M_L1] = info[i].l1_total;
		c->total[SMI_M_SYSTEM_MEMORY] = info[i].system_memory_total;
		if (!smi_selected(o, c))
			continue;
		smi_card_syspath(c, syspath, sizeof(syspath));
		err = smi_read_counters(syspath, c);
		if (err == -ENOENT || err == -ENODEV)
			continue;	/* removed while we read it */
		if (err) {
			smi_err("%s: %s", syspath, strerror(-err));
			ret = err;
			break;
		}
		s->ncards++;
	}
	free(info);
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
	SMI_COL_CGROUP, SMI_COL_BYTES0,
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
	static const char *const fixed[] = {
		"pid", "uid", "comm", "buffers", "cgroup",
	};
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

/*
 * A cgroup field: "-" for none, else a path escaped as comm is, which
 * starts with '/'. The driver prints at most PATH_MAX - 1 bytes of it.
 */
static int smi_cgroup_field(struct smi_proc *p, const char *w, size_t n)
{
	char path[PATH_MAX];

	free(p->cgroup);
	p->cgroup = NULL;
	if (n == 1 && *w == '-')
		return 0;
	if (smi_comm_decode(w, n, path, sizeof(path)) <= 0 || path[0] != '/')
		return -EINVAL;
	p->cgroup = strdup(path);
	return p->cgroup ? 0 : -ENOMEM;
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
	if (col == SMI_COL_CGROUP)
		return smi_cgroup_field(p, w, n);
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

/* Whether path is gone: no such file, not merely unreadable */
static bool smi_gone(const char *path)
{
	return access(path, F_OK) && errno == ENOENT;
}

/*
 * Whether an error reading card c's debugfs table at path means it was
 * removed meanwhile: ENOENT, ENODEV, or EIO (what debugfs answers on a
 * file removed while open) when the file or the card's class device is
 * gone. The driver removes a card's debugfs files before its class
 * device, so between the two only the file is gone.
 */
static bool smi_card_went(const struct smi_card *c, const char *path, int err)
{
	char syspath[PATH_MAX];

	if (err == -ENOENT || err == -ENODEV)
		return true;
	if (err != -EIO)
		return false;
	smi_card_syspath(c, syspath, sizeof(syspath));
	return smi_gone(path) || smi_gone(syspath);
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
		if (smi_card_went(c, path, err))
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
			if (!err)
				p.cgroup = NULL;	/* s->procs has it */
		}
		free(p.cgroup);
		if (err)
			break;
	}
	if (!err && ferror(f)) {
		err = -errno;
		if (smi_card_went(c, path, err))
			err = -ENOENT;
		else
			smi_err("%s: %s", path, strerror(-err));
	} else if (!err && !lo.ncols) {
		smi_err("%s: no header line", path);
		err = -EBADMSG;
	}
	fclose(f);
	free(line);
	return err;
}

/* Drop the rows of s from first on */
static void smi_procs_cut(struct smi_snapshot *s, size_t first)
{
	while (s->nprocs > first)
		free(s->procs[--s->nprocs].cgroup);
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

/* ---- the caller's own processes, from fdinfo ---------------------------- */

/*
 * What /proc/PID/fdinfo/FD says of an open card file (the driver's tt-
 * keys): 0, or -ENOENT when the file is no card's or the text is not what
 * the driver writes. A key tt-smi does not know (a later driver's) is
 * skipped; one the text lacks reads as 0.
 */
struct smi_fdinfo {
	bool driver;
	char pdev[64];
	uint64_t card, client_id;
	bool have_card, have_client;
};

static int smi_parse_fdinfo(char *text, struct smi_fdinfo *fi, struct smi_proc *p)
{
	char *line, *save = NULL, *v;
	uint64_t n;
	int t;

	memset(fi, 0, sizeof(*fi));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		v = strstr(line, ":\t");
		if (!v || strncmp(line, "tt-", 3))
			continue;
		*v = '\0';
		v += 2;
		line += 3;
		if (!strcmp(line, "driver")) {
			fi->driver = !strcmp(v, "tenstorrent");
			continue;
		}
		if (!strcmp(line, "pdev")) {
			if (strlen(v) >= sizeof(fi->pdev))
				return -ENOENT;
			strcpy(fi->pdev, v);
			continue;
		}
		if (smi_parse_u64(v, strlen(v), &n))
			return -ENOENT;
		if (!strcmp(line, "card")) {
			fi->card = n;
			fi->have_card = true;
		} else if (!strcmp(line, "client-id")) {
			fi->client_id = n;
			fi->have_client = true;
		} else if (!strcmp(line, "buffers")) {
			p->buffers = n;
		} else {
			for (t = 0; t < SMI_NTYPES; t++) {
				if (!strncmp(line, "total-", 6) &&
				    !strcmp(line + 6, smi_type_names[t]))
					p->bytes[t] = n;
				else if (!strncmp(line, "peak-", 5) &&
					 !strcmp(line + 5, smi_type_names[t]))
					p->peak[t] = n;
			}
		}
	}
	return fi->driver && fi->have_card && fi->have_client ? 0 : -ENOENT;
}

/* The card of s an fdinfo names, by its index and bus id; NULL: none */
static const struct smi_card *smi_card_of(const struct smi_snapshot *s,
					  const struct smi_fdinfo *fi)
{
	size_t i;

	for (i = 0; i < s->ncards; i++)
		if (s->cards[i].index == fi->card &&
		    !strcmp(s->cards[i].bus_id, fi->pdev))
			return &s->cards[i];
	return NULL;
}

/* Process pid's comm, its uid and its cgroup v2 path, into p */
static int smi_proc_identity(int pdir, struct smi_proc *p)
{
	char buf[PATH_MAX + 64], *line, *save = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	if (fstat(pdir, &st))
		return -errno;
	p->uid = (long)st.st_uid;
	fd = openat(pdir, "comm", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, p->comm, sizeof(p->comm) - 1);
		close(fd);
		if (n > 0 && p->comm[n - 1] == '\n')
			n--;
		p->comm[n > 0 ? n : 0] = '\0';
	}
	fd = openat(pdir, "cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "0::", 3) && line[3] == '/') {
			p->cgroup = strdup(line + 3);
			return p->cgroup ? 0 : -ENOMEM;
		}
	return 0;
}

static bool smi_seen(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * The open card files of one process pid (its /proc directory pdir) that
 * the caller may read, into s->procs, each file once over all processes
 * (by its client id: a file a fork() shared is the lowest pid's).
 */
static int smi_read_pid_fdinfo(struct smi_snapshot *s, int pdir, long pid,
			       uint64_t **ids, size_t *nids, size_t *idcap)
{
	struct smi_proc who = { .pid = pid };
	bool named = false;
	struct dirent *e;
	int err = 0, dfd;
	DIR *d;

	dfd = openat(pdir, "fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;	/* another user's, or gone */
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	while (!err && (e = readdir(d))) {
		struct smi_proc p = { .pid = pid };
		struct smi_fdinfo fi;
		const struct smi_card *c;
		char text[4096];
		ssize_t n;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n <= 0)
			continue;
		text[n] = '\0';
		/* most fds are no card's: one look for the key first */
		if (!strstr(text, "\ntt-driver:\ttenstorrent\n") ||
		    smi_parse_fdinfo(text, &fi, &p))
			continue;
		c = smi_card_of(s, &fi);
		if (!c || smi_seen(*ids, *nids, fi.client_id))
			continue;
		if (*nids == *idcap) {
			size_t cap = *idcap ? 2 * *idcap : 64;
			uint64_t *ni = realloc(*ids, cap * sizeof(*ni));

			if (!ni) {
				err = -ENOMEM;
				break;
			}
			*ids = ni;
			*idcap = cap;
		}
		(*ids)[(*nids)++] = fi.client_id;
		if (!named) {
			err = smi_proc_identity(pdir, &who);
			named = true;
		}
		p.card = c->index;
		p.uid = who.uid;
		memcpy(p.comm, who.comm, sizeof(p.comm));
		if (!err && who.cgroup) {
			p.cgroup = strdup(who.cgroup);
			if (!p.cgroup)
				err = -ENOMEM;
		}
		if (!err)
			err = smi_add_proc(s, &p);
		if (err)
			free(p.cgroup);
	}
	closedir(d);
	free(who.cgroup);
	return err;
}

/* The files of the selected cards that the caller's own processes hold */
static int smi_read_own_procs(struct smi_snapshot *s)
{
	uint64_t *ids = NULL;
	size_t nids = 0, idcap = 0;
	struct dirent *e;
	int err = 0;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (!err && (e = readdir(proc))) {
		char *end;
		long pid;
		int pdir;

		errno = 0;
		pid = strtol(e->d_name, &end, 10);
		if (errno || *end || end == e->d_name || pid <= 0)
			continue;
		pdir = openat(dirfd(proc), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pdir < 0)
			continue;
		err = smi_read_pid_fdinfo(s, pdir, pid, &ids, &nids, &idcap);
		close(pdir);
	}
	closedir(proc);
	free(ids);
	return err;
}

/*
 * Not root: the caller's own processes (SMI_PROCS_OWN); when even /proc
 * cannot be listed, none (SMI_PROCS_NOROOT).
 */
static int smi_read_own(struct smi_snapshot *s)
{
	int err = smi_read_own_procs(s);

	if (err == -ENOMEM)
		return err;
	if (err) {
		smi_procs_cut(s, 0);
		s->procs_state = SMI_PROCS_NOROOT;
		return 0;
	}
	s->procs_state = SMI_PROCS_OWN;
	return 0;
}

/*
 * Read each card's debugfs processes and judge whether its rows add up to
 * its sysfs totals. sysfs and debugfs are read at different moments:
 * the card's totals are read again after its table, and the table again
 * (up to SMI_MATCH_TRIES times) when they moved meanwhile; a card whose
 * totals never held still is not judged.
 */
int smi_read_procs(struct smi_snapshot *s)
{
	struct stat st;
	size_t i;
	int err;

	if (access(SMI_DEBUGFS_DIR, R_OK | X_OK)) {
		if (geteuid() != 0)
			return smi_read_own(s);
		s->procs_state = errno != EACCES && errno != EPERM &&
				 stat("/sys/kernel/debug", &st) == 0 ?
				 SMI_PROCS_NODEBUGFS : SMI_PROCS_NOROOT;
		return 0;
	}
	s->procs_state = SMI_PROCS_OK;

	for (i = 0; i < s->ncards; i++) {
		struct smi_card *c = &s->cards[i], again;
		size_t first = s->nprocs;
		char syspath[PATH_MAX];
		int try;

		smi_card_syspath(c, syspath, sizeof(syspath));
		for (try = 0; try < SMI_MATCH_TRIES; try++) {
			smi_procs_cut(s, first);
			err = smi_read_card_procs(s, c);
			if (err == -ENOENT) {	/* removed: none of its rows */
				smi_procs_cut(s, first);
				break;
			}
			if (err == -EACCES) {
				smi_procs_cut(s, 0);
				return smi_read_own(s);
			}
			if (err)
				return err;
			again = *c;
			smi_clear_counters(&again);
			err = smi_read_counters(syspath, &again);
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

void smi_snapshot_free(struct smi_snapshot *s)
{
	smi_procs_cut(s, 0);
	free(s->procs);
	s->procs = NULL;
	s->nprocs = 0;
	s->procs_cap = 0;
	s->ncards = 0;
}
