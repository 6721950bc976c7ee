// SPDX-License-Identifier: GPL-2.0-only
/*
 * A process with a name of the test's choosing that holds one buffer: it
 * sets its command name with prctl(PR_SET_NAME) to the bytes given in
 * hexadecimal (any byte but NUL; the kernel keeps the first 15), then
 * opens the card and records one DRAM buffer, prints
 *   ready PID HEXCOMM
 * (HEXCOMM: the name the kernel kept, from PR_GET_NAME) and holds the
 * buffer until killed. For tests of how names reach root's tools.
 *   tt_comm_hold HEXNAME [CARD [SIZE [ID]]]   (card 0, 5 MiB, 0x900000000)
 * Exit: 1 when the name, the open or the ioctl fails; 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "tenstorrent_track.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	struct tenstorrent_track_alloc a = { 0 };
	char name[64] = { 0 }, got[17] = { 0 }, path[64];
	const char *hex;
	size_t i, n;
	int fd;

	if (argc < 2 || argc > 5 || strlen(argv[1]) % 2 ||
	    strlen(argv[1]) / 2 >= sizeof(name)) {
		fprintf(stderr, "usage: tt_comm_hold HEXNAME [CARD [SIZE [ID]]]\n");
		return 2;
	}
	hex = argv[1];
	n = strlen(hex) / 2;
	for (i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0 || (hi | lo) == 0) {
			fprintf(stderr, "tt_comm_hold: bad hex name '%s'\n", hex);
			return 2;
		}
		name[i] = (char)(hi << 4 | lo);
	}
	if (prctl(PR_SET_NAME, name) || prctl(PR_GET_NAME, got)) {
		perror("tt_comm_hold: prctl");
		return 1;
	}

	snprintf(path, sizeof(path), "/dev/tenstorrent/%s",
		 argc > 2 ? argv[2] : "0");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tt_comm_hold: %s: %s\n", path, strerror(errno));
		return 1;
	}
	a.in.buffer_id = argc > 4 ? strtoull(argv[4], NULL, 0) : 0x900000000ULL;
	a.in.size = argc > 3 ? strtoull(argv[3], NULL, 0) : 5 << 20;
	a.in.buffer_type = TT_BUFFER_TYPE_DRAM;
	if (ioctl(fd, TENSTORRENT_IOCTL_TRACK_ALLOC, &a)) {
		fprintf(stderr, "tt_comm_hold: TRACK_ALLOC: %s\n", strerror(errno));
		return 1;
	}

	printf("ready %d ", getpid());
	for (i = 0; got[i]; i++)
		printf("%02x", (unsigned char)got[i]);
	printf("\n");
	fflush(stdout);
	for (;;)
		pause();
}
