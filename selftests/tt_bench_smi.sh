#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# tt-smi snapshot time with 8 cards and 1000 processes holding them open:
# the median of 11 runs of `tt-smi` (as root, so with the process table)
# and of `tt-smi --json`. A benchmark: prints numbers, asserts nothing.
#   modprobe tenstorrent sim_cards=8; tt_bench_smi.sh [PROCESSES]
set -u
procs=${1:-1000}
cards=$(ls -d /sys/class/tenstorrent/tenstorrent!* | wc -l)

i=0
while [ $i -lt "$procs" ]; do
	sleep 600 < /dev/tenstorrent/$((i % cards)) &
	i=$((i + 1))
done
sleep 2

here=$(dirname "$0")
median_ms() { "$here/tt_timeit" 11 "$@" | cut -d' ' -f1; }

lines=$(tt-smi | wc -l)
echo "tt-smi with $cards cards and $procs processes ($lines lines):" \
     "median $(median_ms tt-smi) ms, --json $(median_ms tt-smi --json) ms," \
     "a bare 'true' $(median_ms true) ms"
kill $(jobs -p) 2>/dev/null
