#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# tt-smi snapshot time with 8 cards and 1000 processes holding them open:
# the median of 11 runs of `tt-smi` (as root, so with the process table)
# and of `tt-smi --json`. A benchmark: prints numbers, asserts nothing.
# Output: "# " comments and "result NAME VALUE UNIT" lines.
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
human=$(median_ms tt-smi)
json=$(median_ms tt-smi --json)
bare=$(median_ms true)
echo "# tt-smi with $cards cards and $procs processes ($lines lines):" \
     "median $human ms, --json $json ms, a bare 'true' $bare ms"
echo "result smi_vm_${cards}x$procs $human ms"
echo "result smi_vm_json_${cards}x$procs $json ms"
echo "result smi_vm_true $bare ms"
kill $(jobs -p) 2>/dev/null
