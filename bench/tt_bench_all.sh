#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Every benchmark of `make bench`, in the test VM, one after the other, so
# their numbers come from one boot: tracking cost against the floor ioctl,
# the socket servers (the proposal's sketch, tt-metal's) and the shm table,
# one by one and in a tt-metal-shaped trace (tt_bench_track); kernel memory per
# record and release cost (tt_bench_mem); a buffer on 32 cards, an ioctl
# per card against one batch (tt_bench_mesh); debugfs dump and sysfs read cost
# (tt_bench_dump); tt-smi snapshot time (tt_bench_smi.sh). Output: "# "
# comments and "result NAME VALUE UNIT" lines, parsed by bench/bench.
#   modprobe tenstorrent sim_cards=8; tt_bench_all.sh [--quick] [-n PAIRS] [-r ROUNDS]
# --quick: small counts (a minute under TCG) to check the benches run.
# -n, -r: tt_bench_track's pairs per contender and rounds (1000000, 5).
set -u
here=$(dirname "$0")

track="-n 1000000 -r 5" mem="10000 100000 1000000" dump="100000 1000000" procs=1000
mesh="32 2000 5"
pairs= rounds=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) track="-n 20000 -m 2000 -t 5 -r 2" mem="10000 50000" dump="10000 100000" procs=100
		 mesh="32 200 2" ;;
	-n) pairs=$2; shift ;;
	-r) rounds=$2; shift ;;
	*) echo "usage: tt_bench_all.sh [--quick] [-n PAIRS] [-r ROUNDS]" >&2; exit 2 ;;
	esac
	shift
done
[ -z "$pairs" ] || track="$track -n $pairs"
[ -z "$rounds" ] || track="$track -r $rounds"

echo "# kernel $(uname -r), $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
for b in "tt_bench_track $track" "tt_bench_mem $mem" "tt_bench_mesh $mesh" \
	 "tt_bench_dump $dump" \
	 "tt_bench_smi.sh $procs"; do
	echo "# == $b"
	# shellcheck disable=SC2086
	"$here"/$b || { echo "# $b failed (exit $?)"; exit 1; }
done
