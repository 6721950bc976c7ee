/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Strict parsers of what the tenstorrent driver shows in sysfs and debugfs,
 * as Documentation/ABI/testing/sysfs-class-tenstorrent and
 * debugfs-tenstorrent specify it: one value of a sysfs attribute, and the
 * lines of debugfs processes and buffers, each field in its exact form
 * (decimal, 0x and lower-case hex, a type's name, a comm or a cgroup path
 * escaped as \ooo).
 * Anything else does not parse: a test that reads a view through these
 * checks its format on every line.
 */
#ifndef TT_DEBUGFS_PARSE_H
#define TT_DEBUGFS_PARSE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tenstorrent_track.h"
#include "tt_params.h"

/* The first line of debugfs processes and of buffers */
#define TT_DEBUGFS_PROCESSES_HEADER \
	"pid uid comm buffers dram l1 system_memory l1_small trace cb kernel dram_peak l1_peak system_memory_peak l1_small_peak trace_peak cb_peak kernel_peak cgroup"
#define TT_DEBUGFS_BUFFERS_HEADER \
	"pid buffer_id type size refs age_ms"

/* s is a non-empty run of decimal digits that fits in 64 bits */
static inline bool parse_dec(const char *s, __u64 *v)
{
	const char *p;

	if (!*s)
		return false;
	for (p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	*v = strtoull(s, NULL, 10);
	return !errno;
}

/* the same, with an optional minus sign (pids) */
static inline bool parse_sdec(const char *s, long long *v)
{
	__u64 u;

	if (!parse_dec(*s == '-' ? s + 1 : s, &u) || u > LLONG_MAX)
		return false;
	*v = *s == '-' ? -(long long)u : (long long)u;
	return true;
}

/* "0x" and lower-case hex digits */
static inline bool parse_hex(const char *s, __u64 *v)
{
	const char *p;

	if (strncmp(s, "0x", 2) || !s[2] || strlen(s) > 18)
		return false;
	for (p = s + 2; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	*v = strtoull(s + 2, NULL, 16);
	return true;
}

static inline int type_by_name(const char *s)
{
	int t;

	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		if (!strcmp(s, tt_type_names[t]))
			return t;
	return -1;
}

/* Split at each single space, in place; the number of words (max at most). */
static inline int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *s;

	while (n < max && (s = strsep(&line, " ")))
		w[n++] = s;
	return line ? max + 1 : n;
}

/* One line of debugfs .../buffers */
struct buf_line {
	long long pid;
	__u64 id;
	int type;
	__u64 size;
	__u64 refs;
	__u64 age_ms;
};

/* Exactly six well-formed fields; line has no newline. */
static inline bool parse_buffer_line(const char *line, struct buf_line *b)
{
	char copy[256], *w[7];

	if (strlen(line) >= sizeof(copy))
		return false;
	strcpy(copy, line);
	if (split_words(copy, w, 7) != 6)
		return false;
	b->type = type_by_name(w[2]);
	return parse_sdec(w[0], &b->pid) && parse_hex(w[1], &b->id) &&
	       b->type >= 0 && parse_dec(w[3], &b->size) &&
	       parse_dec(w[4], &b->refs) && b->refs >= 1 &&
	       parse_dec(w[5], &b->age_ms);
}

/* One line of debugfs .../processes */
struct proc_line {
	long long pid;
	__u64 uid;
	char comm[64];
	__u64 buffers;
	__u64 allocated[TT_BUFFER_TYPE_COUNT];
	__u64 peak[TT_BUFFER_TYPE_COUNT];
	char cgroup[PATH_MAX];	/* "" when the driver shows none ("-") */
};

static inline int octal_digit(char c, char max)
{
	return c >= '0' && c <= max ? c - '0' : -1;
}

/*
 * A field escaped as the ABI says: \ooo for each byte that is not printable
 * ASCII, for space and for backslash. Decoded into out (len bytes); false
 * when not so escaped or empty.
 */
static inline bool parse_escaped(const char *f, char *out, size_t len)
{
	size_t n = 0;

	for (; *f; f++) {
		int c = (unsigned char)*f, a, b, d;

		if (c == '\\') {
			a = octal_digit(f[1], '3');
			b = a < 0 ? -1 : octal_digit(f[2], '7');
			d = b < 0 ? -1 : octal_digit(f[3], '7');
			if (d < 0)
				return false;
			c = a << 6 | b << 3 | d;
			/* only what needs it is escaped, and never a NUL */
			if (!c || (c > ' ' && c < 0x7f && c != '\\'))
				return false;
			f += 3;
		} else if (c <= ' ' || c >= 0x7f) {
			return false;
		}
		if (n + 1 >= len)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n > 0;
}

/* A comm field: escaped, and \000 alone for an empty name. */
static inline bool parse_comm(const char *f, char *comm, size_t len)
{
	if (!strcmp(f, "\\000")) {
		comm[0] = '\0';
		return true;
	}
	return parse_escaped(f, comm, len);
}

/* A cgroup field: "-" for none (stored as ""), else an escaped path. */
static inline bool parse_cgroup(const char *f, char *cgroup, size_t len)
{
	if (!strcmp(f, "-")) {
		cgroup[0] = '\0';
		return true;
	}
	return parse_escaped(f, cgroup, len) && cgroup[0] == '/';
}

/*
 * pid, uid, comm (one field, escaped), buffers, allocated and peak per
 * type, then the cgroup (one field, escaped): exactly the header's
 * nineteen fields.
 */
static inline bool parse_process_line(const char *line, struct proc_line *p)
{
	char *copy, *w[64];
	bool ok = false;
	int n, i, t;

	copy = strdup(line);
	if (!copy)
		return false;
	n = split_words(copy, w, 64);
	if (n != 5 + 2 * TT_BUFFER_TYPE_COUNT)
		goto out;
	if (!parse_sdec(w[0], &p->pid) || !parse_dec(w[1], &p->uid) ||
	    !parse_comm(w[2], p->comm, sizeof(p->comm)))
		goto out;
	i = 3;
	if (!parse_dec(w[i++], &p->buffers))
		goto out;
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		if (!parse_dec(w[i++], &p->allocated[t]))
			goto out;
	for (t = 0; t < TT_BUFFER_TYPE_COUNT; t++)
		if (!parse_dec(w[i++], &p->peak[t]))
			goto out;
	ok = parse_cgroup(w[i], p->cgroup, sizeof(p->cgroup));
out:
	free(copy);
	return ok;
}

/* A sysfs value: decimal digits and one newline, nothing else. */
static inline int parse_attr_text(const char *text, __u64 *v)
{
	char copy[64];
	size_t n = strlen(text);

	if (n < 2 || n >= sizeof(copy) || text[n - 1] != '\n')
		return -EINVAL;
	memcpy(copy, text, n - 1);
	copy[n - 1] = '\0';
	return parse_dec(copy, v) ? 0 : -EINVAL;
}

/*
 * The next line of a buffer being walked, NUL-terminated in place; NULL at
 * the end. *bad is set when the text ends without a newline.
 */
static inline char *next_line(char **pos, bool *bad)
{
	char *line = *pos, *nl;

	if (!*line)
		return NULL;
	nl = strchr(line, '\n');
	if (!nl) {
		*bad = true;
		*pos = line + strlen(line);
		return line;
	}
	*nl = '\0';
	*pos = nl + 1;
	return line;
}

#endif /* TT_DEBUGFS_PARSE_H */
