// SPDX-License-Identifier: GPL-2.0-only
/*
 * tt-smi: what the tenstorrent driver knows about the memory of each card
 * and, for root, of each process (smi.h names the parts). This is the
 * command line: the options, a snapshot read and rendered into one
 * output, the exit codes, and --watch, which redraws when the driver
 * notifies a change or a card comes or goes.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

#include "smi.h"
#include "ttkmd.h"

/* Exit codes, documented in tt-smi.1 */
enum {
	SMI_EXIT_OK = 0,
	SMI_EXIT_ERROR = 1,	/* usage, permission, out of memory, I/O */
	SMI_EXIT_NOMODULE = 2,	/* no /sys/class/tenstorrent */
	SMI_EXIT_NOCARD = 3,	/* no card at all, or a selected one missing */
	SMI_EXIT_BADDATA = 4,	/* a debugfs line tt-smi cannot parse */
};

static const char *smi_prog = "tt-smi";

void smi_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", smi_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

/*
 * A machine time series' messages: those of this sample, and of the last
 * one said on stderr. A sample's messages are said when they differ from
 * the last said, so that each is said once until things change.
 */
static struct smi_out smi_msgs, smi_msgs_said;

/*
 * Report a missing driver or card: on stderr, or in the human --watch on
 * the screen (which waits for them), so that each refresh does not repeat
 * it there. A machine time series goes on without them, and says so on
 * stderr once (smi_msgs).
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
	if (smi_series(o))
		smi_printf(&smi_msgs, "%s: %s\n", smi_prog, msg);
	else if (o->watch)
		smi_printf(out, "%s\n", msg);
	else
		smi_err("%s", msg);
	free(msg);
}

/* Say this sample's messages if they are not those said last */
static void smi_say_msgs(void)
{
	struct smi_out t;

	if (smi_msgs.len != smi_msgs_said.len ||
	    (smi_msgs.len && memcmp(smi_msgs.buf, smi_msgs_said.buf, smi_msgs.len)))
		smi_write_all(STDERR_FILENO, smi_msgs.buf, smi_msgs.len);
	t = smi_msgs_said;
	smi_msgs_said = smi_msgs;
	smi_msgs = t;
	smi_msgs.len = 0;
	smi_msgs.oom = false;
}

/*
 * Take a snapshot and render it into out. Returns an exit code; messages
 * for errors are printed here. --prometheus renders a document without
 * the driver or a card too (exit 0), saying so: a timer that writes the
 * textfile collector's file replaces the last one. So does each sample of
 * a machine time series: a log has no holes where the cards were gone.
 */
static long long smi_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int smi_snapshot_render(const struct smi_opts *o, struct smi_out *out)
{
	bool prom = o->format == SMI_FMT_PROM || smi_series(o);
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
	err = smi_read_cards(o, s);
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
			if (smi_sel_matches(&o->sel[i], &s->cards[j]))
				break;
		if (j == s->ncards) {
			smi_missing(o, out, "no card %s (see %s/)", o->sel[i].arg,
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
	if (o->history) {
		struct timespec now;

		clock_gettime(CLOCK_BOOTTIME, &now);
		smi_history_add(o->history, s, smi_ns(&now));
	}
	err = smi_render(out, s, o);
	if (err) {
		smi_err("rendering: %s", strerror(-err));
		rc = SMI_EXIT_ERROR;
	} else if (prom && !smi_series(o)) {
		rc = SMI_EXIT_OK;
	}
out:
	smi_snapshot_free(s);
	free(s);
	return rc;
}

/*
 * Replace path by a file holding buf, atomically: written under a
 * temporary name beside it (which does not end in .prom, so that
 * node_exporter's textfile collector never reads it), then renamed over
 * it. A reader sees the old file or the new one, never part of one.
 */
static int smi_replace_file(const char *path, const char *buf, size_t len)
{
	char *tmp;
	int fd, err;

	if (asprintf(&tmp, "%s.%ld.tmp", path, (long)getpid()) < 0)
		return -ENOMEM;
	unlink(tmp);	/* left by a killed tt-smi of this pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = smi_write_all(fd, buf, len);
	if (!err && fsync(fd))	/* whole on disk before it replaces the old */
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	if (err)
		smi_err("writing %s: %s", path, strerror(-err));
	free(tmp);
	return err;
}

/* One output, on stdout or replacing --filename's file */
static int smi_emit(const struct smi_opts *o, const struct smi_out *out)
{
	int err;

	if (out->oom) {
		smi_err("out of memory");
		return -ENOMEM;
	}
	if (o->file)
		return smi_replace_file(o->file, out->buf, out->len);
	err = smi_write_all(STDOUT_FILENO, out->buf, out->len);
	if (err)
		smi_err("writing output: %s", strerror(-err));
	return err;
}

/* ---- --watch and --loop ------------------------------------------------- */

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

/* A udev monitor of the tenstorrent subsystem, or NULL (said) */
static struct udev_monitor *smi_monitor_new(struct udev *udev)
{
	static const char *const sources[] = { "udev", "kernel" };
	struct udev_monitor *mon;
	size_t i;

	/* without a udev daemon (or netlink), the kernel's events */
	for (i = 0; i < 2; i++) {
		mon = udev_monitor_new_from_netlink(udev, sources[i]);
		if (mon && !udev_monitor_filter_add_match_subsystem_devtype(mon, "tenstorrent", NULL) &&
		    !udev_monitor_enable_receiving(mon))
			return mon;
		if (mon)
			udev_monitor_unref(mon);
	}
	smi_err("cannot create a udev monitor");
	return NULL;
}

/* Whether the terminal takes cursor movement: not TERM=dumb, not unset */
static bool smi_term_draws(void)
{
	const char *term = getenv("TERM");

	return term && *term && strcmp(term, "dumb");
}

/*
 * The signals that end --watch are blocked but while tt-smi waits
 * (ppoll() with smi_waitmask): one that comes while a sample is taken
 * ends the wait at once rather than after a whole interval.
 */
static sigset_t smi_waitmask;

/* Wait up to ms milliseconds for fds (none: n = 0) or a signal */
static int smi_ppoll(struct pollfd *pfd, size_t n, long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	if (smi_stop)
		return 0;
	return ppoll(pfd, n, &ts, &smi_waitmask);
}

/*
 * Wait for a change or interval seconds, whichever is first: the udev
 * monitor (a card added or removed) and POLLPRI on the cards' attributes.
 */
static void smi_wait_change(struct udev *udev, struct udev_monitor *mon,
			    double interval)
{
	struct pollfd pfd[SMI_WATCH_FDS];
	size_t i, n;

	n = 1 + smi_watch_arm(udev, pfd + 1, SMI_WATCH_FDS - 1);
	pfd[0].fd = udev_monitor_get_fd(mon);
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	if (smi_ppoll(pfd, n, (long long)(interval * 1000.0)) > 0 &&
	    (pfd[0].revents & POLLIN)) {
		struct udev_device *d;

		/* drain: one redraw for a burst of events */
		while ((d = udev_monitor_receive_device(mon)))
			udev_device_unref(d);
	}
	for (i = 1; i < n; i++)
		close(pfd[i].fd);
	/* changes are coalesced to 10/s by the driver; so is the redraw */
	smi_ppoll(NULL, 0, 100);
}

/*
 * Sleep until *next plus interval seconds, the new *next, on
 * CLOCK_BOOTTIME, which counts a suspend: in steps of at most a second,
 * so that a sample after a resume is at most a second late. A sample
 * already late (a suspend, a slow read) is taken at once, and the clock
 * restarts from it: no burst catches up.
 */
static void smi_wait_tick(long long *next, double interval)
{
	struct timespec now;
	long long left;

	*next += (long long)(interval * 1e9);
	for (;;) {
		clock_gettime(CLOCK_BOOTTIME, &now);
		left = *next - smi_ns(&now);
		if (left <= 0 || smi_stop)
			break;
		smi_ppoll(NULL, 0, left > 1000000000LL ? 1000 : (left + 999999) / 1000000);
	}
	if (left < 0)
		*next = smi_ns(&now);
}

/*
 * --watch and --loop. The human --watch on a terminal redraws in place
 * (the alternate screen) and at once on a change; elsewhere each sample
 * is appended. Machine formats and --loop sample on a steady clock: a
 * time series with one record per interval, each with its time.
 */
static int smi_watch(struct udev *udev, struct smi_opts *o)
{
	bool human = o->format == SMI_FMT_HUMAN;
	bool screen = human && !o->loop && !o->file && isatty(STDOUT_FILENO) &&
		      smi_term_draws();
	struct sigaction sa = { .sa_handler = smi_on_signal };
	struct udev_monitor *mon = NULL;
	struct smi_history *hist = NULL;
	struct timespec now;
	sigset_t stop;
	long long next;
	int rc = SMI_EXIT_OK;

	/* The monitor first, then enumerate: no card is missed in between. */
	if (human && !o->loop) {
		mon = smi_monitor_new(udev);
		hist = calloc(1, sizeof(*hist));
		if (!mon || !hist) {
			if (mon)
				udev_monitor_unref(mon);
			free(hist);
			return SMI_EXIT_ERROR;
		}
		/*
		 * The history in Unicode blocks where the locale's character
		 * set is UTF-8 and the terminal draws; LC_CTYPE only: numbers
		 * keep the C locale's decimal point in every format.
		 */
		setlocale(LC_CTYPE, "");
		hist->utf8 = smi_term_draws() && !strcmp(nl_langinfo(CODESET), "UTF-8");
		hist->interval = o->interval;
		o->history = hist;
	}
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &smi_waitmask);
	sigdelset(&smi_waitmask, SIGINT);
	sigdelset(&smi_waitmask, SIGTERM);
	sigdelset(&smi_waitmask, SIGHUP);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (screen)	/* the alternate screen, cursor hidden; restored at exit */
		smi_write_all(STDOUT_FILENO, "\033[?1049h\033[?25l", 14);

	o->csv_header = true;
	clock_gettime(CLOCK_BOOTTIME, &now);
	next = smi_ns(&now);
	while (!smi_stop) {
		struct smi_out out = { 0 };

		clock_gettime(CLOCK_REALTIME, &o->when);
		if (human) {
			char head[128];
			struct tm tm;

			localtime_r(&o->when.tv_sec, &tm);
			strftime(head, sizeof(head), "tt-smi  %Y-%m-%d %H:%M:%S", &tm);
			smi_printf(&out, "%s%s  (every %gs, Ctrl-C quits)\n\n",
				   screen ? "\033[H\033[2J" : "", head, o->interval);
		}
		rc = smi_snapshot_render(o, &out);
		if (rc == SMI_EXIT_NOMODULE || rc == SMI_EXIT_NOCARD) {
			if (human)
				smi_puts(&out, "(waiting for cards)\n");
		} else if (rc != SMI_EXIT_OK) {
			free(out.buf);
			break;
		}
		if (!human)
			smi_say_msgs();
		if (human && !screen)
			smi_puts(&out, "\n");
		if (smi_emit(o, &out)) {
			free(out.buf);
			rc = SMI_EXIT_ERROR;
			break;
		}
		free(out.buf);
		rc = SMI_EXIT_OK;
		/* the header once on a stream; in each file -f replaces */
		o->csv_header = o->file;
		if (mon)
			smi_wait_change(udev, mon, o->interval);
		else
			smi_wait_tick(&next, o->interval);
	}
	if (screen)
		smi_write_all(STDOUT_FILENO, "\033[?25h\033[?1049l", 14);
	if (mon)
		udev_monitor_unref(mon);
	o->history = NULL;
	free(hist);
	free(smi_msgs.buf);
	free(smi_msgs_said.buf);
	return rc;
}

/* ---- --version ---------------------------------------------------------- */

/*
 * The driver's tracking ABI, asked of the first card with
 * GET_TRACKING_INFO on a read-only open. Returns it, or 0 with why in
 * why.
 */
/*
 * The tracking ABI of the driver, asked of the first card with libttkmd on
 * a read-only open (which records nothing); 0 with why it is not known.
 */
static unsigned int smi_driver_abi(char *why, size_t len)
{
	struct tenstorrent_tracking_info_out info = { 0 };
	tt_card_info_t card;
	ttkmd_dev_t *dev;
	int n, err;

	n = tt_list_cards(&card, 1);
	if (n <= 0) {
		snprintf(why, len, "no card to ask");
		return 0;
	}
	err = ttkmd_open(card.index, TTKMD_OPEN_RDONLY, &dev);
	if (!err) {
		err = tt_get_tracking_info(dev, &info);
		ttkmd_close(dev);
	}
	if (err) {
		snprintf(why, len, "/dev/tenstorrent/%d: %s", card.index,
			 strerror(-err));
		return 0;
	}
	return info.abi_version;
}

static int smi_version(void)
{
	char why[PATH_MAX + 64];
	unsigned int abi;

	printf("tt-smi %s\n", SMI_VERSION);
	printf("tracking ABI %d (built for), JSON schema %d\n",
	       TENSTORRENT_TRACK_ABI_VERSION, SMI_JSON_SCHEMA);
	printf("libttkmd %s (built in)\n", SMI_TTKMD_VERSION);
	if (access(SMI_CLASS_DIR, F_OK)) {
		printf("driver: not loaded\n");
		return SMI_EXIT_OK;
	}
	abi = smi_driver_abi(why, sizeof(why));
	if (abi)
		printf("driver: tracking ABI %u\n", abi);
	else
		printf("driver: loaded, tracking ABI unknown (%s)\n", why);
	return SMI_EXIT_OK;
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
"  -d, --device CARD[,CARD...]  only these cards (repeatable): an index,\n"
"                         a bus id, a by-path name or /dev/tenstorrent/...\n"
"  -b, --bytes            exact byte counts instead of KiB/MiB/GiB\n"
"  -j, -J, --json         JSON (schema %d, see tt-smi(1))\n"
"  -c, --csv              CSV: cards, then a blank line and processes\n"
"  -p, --prometheus       Prometheus text exposition format, per card\n"
"      --prometheus-processes  the same with a series per process too\n"
"      --group-by cgroup  processes summed per card and cgroup (container,\n"
"                         pod): a table, JSON \"cgroups\", a series each\n"
"  -w, --watch [SECONDS]  a sample every SECONDS (default 1): the table\n"
"                         redrawn in place, and at once when a card or\n"
"                         its totals change; with -j JSON Lines, with -c\n"
"                         CSV rows of the cards, with -p the file of -f\n"
"  -l, --loop SECONDS     a sample every SECONDS, appended (as a log)\n"
"  -f, --filename FILE    write to FILE, replacing it atomically (each\n"
"                         sample of -w or -l)\n"
"  -n, --noheadings       no header lines (the table, CSV)\n"
"  -o, --output COLUMNS   only these columns, in this order (+COLUMNS:\n"
"                         the default ones and these); a table none of\n"
"                         whose columns is named is left out\n"
"      --list-columns     the columns of the format (-j, -c) and of -o\n"
"  -r, --raw              the table unaligned, one space between cells\n"
"      --color[=WHEN]     never, always or auto (default: on a terminal)\n"
"  -V, --version          tt-smi's version, and the driver's tracking ABI\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 ok, 1 error (usage, permission, I/O), 2 driver not loaded,\n"
"3 no card / selected card missing, 4 a debugfs line tt-smi cannot parse.\n"
"--prometheus, and each sample of -w or -l in JSON or CSV, is written without\n"
"the driver or a card too (exit 0).\n",
		SMI_JSON_SCHEMA);
}

/* A --watch or --loop interval; false: bad, said */
static bool smi_parse_interval(const char *opt, const char *arg, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	if (errno || end == arg || *end || !(*v >= 0.1 && *v <= 86400)) {
		smi_err("bad %s interval '%s' (0.1 to 86400 seconds)", opt, arg);
		return false;
	}
	return true;
}

/*
 * One card of -d into sel: an index, a bus id, a udev by-path name
 * (pci-BUS_ID, sim-BUS_ID) or a path to a device node or a link to one.
 * Returns 0 or -EINVAL.
 */
static int smi_parse_sel(struct smi_sel *sel, const char *tok)
{
	const char *base = strrchr(tok, '/') ? strrchr(tok, '/') + 1 : tok;
	/*
	 * A by-path name, or a link of that name, is the card's bus id: it
	 * follows the card when its index changes, as the link does.
	 */
	bool by_path = !strncmp(base, "pci-", 4) || !strncmp(base, "sim-", 4);
	unsigned long v;
	char *end;
	size_t i;

	snprintf(sel->arg, sizeof(sel->arg), "%s", tok);
	if (!by_path && base != tok) {
		/* /dev/tenstorrent/N, or a link to it: its index */
		char *real = realpath(tok, NULL);
		bool node = real && !strncmp(real, "/dev/tenstorrent/", 17) &&
			    isdigit((unsigned char)real[17]);

		if (node) {
			errno = 0;
			v = strtoul(real + 17, &end, 10);
			node = !errno && !*end && v <= UINT_MAX;
		}
		free(real);
		if (node) {
			sel->index = (unsigned int)v;
			return 0;
		}
	}
	if (isdigit((unsigned char)*base)) {
		errno = 0;
		v = strtoul(base, &end, 10);
		if (!errno && !*end && v <= UINT_MAX) {
			sel->index = (unsigned int)v;
			return 0;
		}
	}
	if (by_path)
		base += 4;
	if (!*base || strlen(base) >= sizeof(sel->bus_id))
		return -EINVAL;
	for (i = 0; base[i]; i++)
		if (!isalnum((unsigned char)base[i]) && !strchr(":._-", base[i]))
			return -EINVAL;
	sel->by_bus = true;
	memcpy(sel->bus_id, base, strlen(base) + 1);
	return 0;
}

static int smi_parse_devices(struct smi_opts *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nsel == SMI_MAX_SEL || smi_parse_sel(&o->sel[o->nsel], tok)) {
			ret = -EINVAL;
			break;
		}
		o->nsel++;
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
		{ "prometheus-processes", no_argument, NULL, 'P' },
		{ "group-by", required_argument, NULL, 'G' },
		{ "output", required_argument, NULL, 'o' },
		{ "list-columns", no_argument, NULL, 'L' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "loop", required_argument, NULL, 'l' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "filename", required_argument, NULL, 'f' },
		{ "color", optional_argument, NULL, 'C' },
		{ "colour", optional_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct smi_opts o = { .format = SMI_FMT_HUMAN, .interval = 1.0 };
	int color = -1;		/* auto */
	unsigned int fmts = 0;	/* the formats asked for, one bit each */
	bool version = false, list_columns = false;
	const char *columns = NULL;
	int opt, rc;
	struct udev *udev;
	struct smi_out out = { 0 };

	while ((opt = getopt_long(argc, argv, "d:bjJcpw::l:f:no:rVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (smi_parse_devices(&o, optarg)) {
				smi_err("bad card list '%s' (indexes, bus ids, by-path names)", optarg);
				return SMI_EXIT_ERROR;
			}
			break;
		case 'b':
			o.bytes = true;
			break;
		case 'j':
		case 'J':	/* as lsblk(8) */
			o.format = SMI_FMT_JSON;
			fmts |= 1u << SMI_FMT_JSON;
			break;
		case 'c':
			o.format = SMI_FMT_CSV;
			fmts |= 1u << SMI_FMT_CSV;
			break;
		case 'P':
			o.prom_processes = true;
			/* fall through */
		case 'p':
			o.format = SMI_FMT_PROM;
			fmts |= 1u << SMI_FMT_PROM;
			break;
		case 'w': {
			const char *arg = optarg;

			/* "--watch 2" as well as "--watch=2" and "-w2" */
			if (!arg && optind < argc && isdigit((unsigned char)argv[optind][0]))
				arg = argv[optind++];
			o.watch = true;
			if (arg && !smi_parse_interval("--watch", arg, &o.interval))
				return SMI_EXIT_ERROR;
			break;
		}
		case 'G':
			if (strcmp(optarg, "cgroup")) {
				smi_err("bad --group-by key '%s' (cgroup)", optarg);
				return SMI_EXIT_ERROR;
			}
			o.group_cgroup = true;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case 'o':
			columns = optarg;
			break;
		case 'L':
			list_columns = true;
			break;
		case 'r':
			o.raw = true;
			break;
		case 'l':
			o.watch = true;
			o.loop = true;
			if (!smi_parse_interval("--loop", optarg, &o.interval))
				return SMI_EXIT_ERROR;
			break;
		case 'f':
			if (!*optarg) {
				smi_err("empty --filename");
				return SMI_EXIT_ERROR;
			}
			o.file = optarg;
			break;
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
		case 'V':
			version = true;
			break;
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
	if (fmts & (fmts - 1)) {
		smi_err("--json, --csv and --prometheus exclude each other");
		return SMI_EXIT_ERROR;
	}
	if (o.watch && o.format == SMI_FMT_PROM && !o.file) {
		smi_err("--prometheus with --watch or --loop rewrites a file: give it with -f FILE");
		return SMI_EXIT_ERROR;
	}
	if (color < 0)
		o.color = isatty(STDOUT_FILENO) && !o.file && !getenv("NO_COLOR") &&
			  smi_term_draws();
	else
		o.color = color;

	smi_render_init();
	if (list_columns) {
		smi_list_columns(&out, &o);
		rc = out.oom || fwrite(out.buf, 1, out.len, stdout) != out.len ?
		     SMI_EXIT_ERROR : SMI_EXIT_OK;
		free(out.buf);
		return rc;
	}
	if (columns) {
		rc = smi_parse_columns(&o, columns);
		if (rc) {
			if (rc == -ENOMEM)
				smi_err("out of memory");
			return SMI_EXIT_ERROR;
		}
	}
	udev = udev_new();
	if (!udev) {
		smi_err("cannot initialise libudev");
		return SMI_EXIT_ERROR;
	}
	if (version) {
		rc = smi_version();
	} else if (o.watch) {
		rc = smi_watch(udev, &o);
	} else {
		clock_gettime(CLOCK_REALTIME, &o.when);
		rc = smi_snapshot_render(&o, &out);
		if (rc == SMI_EXIT_OK && smi_emit(&o, &out))
			rc = SMI_EXIT_ERROR;
		free(out.buf);
	}
	udev_unref(udev);
	return rc;
}
