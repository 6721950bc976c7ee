#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Tracepoints of the tracking core: tenstorrent:tt_track_alloc, tt_track_free
# and tt_track_release fire with the buffer's id, size and type, and the
# leaking file's pid. Drives the driver with tt_workload (installed beside
# this script). Needs root, tracefs and card 0.
set -u

. "$(dirname "$0")/ktap_helpers.sh"

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
EV=$T/events/tenstorrent
here=$(dirname "$0")

if [ "$(id -u)" != 0 ] || [ ! -d "$EV" ] || [ ! -c /dev/tenstorrent/0 ]; then
	echo "1..0 # SKIP needs root, $EV and /dev/tenstorrent/0"
	exit $KSFT_SKIP
fi

echo "TAP version 13"
echo "1..4"

check events_exist test -d $EV/tt_track_alloc -a -d $EV/tt_track_free -a \
	-d $EV/tt_track_release

echo > $T/trace
echo 1 > $EV/enable
# 2 DRAM buffers, one freed, one left for the release; 0 L1 buffers
"$here/tt_workload" -d 0 -n 2 -l 0 > /tmp/tt_trace.out
pid=$(sed -n 's/^pid \([0-9]*\): recorded.*/\1/p' /tmp/tt_trace.out)
echo 0 > $EV/enable
trace=$(cat $T/trace)

in_trace() { echo "$trace" | grep -q "$1"; }

check alloc_event_has_buffer in_trace \
	'tt_track_alloc: card=0 buffer_id=0x800100000 size=1048576 type=dram'
check free_event_has_buffer in_trace \
	'tt_track_free: card=0 buffer_id=0x800000000 size=1048576 type=dram'
check release_event_has_pid in_trace \
	"tt_track_release: card=0 pid=$pid buffers=1 bytes_per_type={0x100000,0x0,0x0,0x0,0x0,0x0,0x0}"
[ $failed = 0 ] || echo "$trace" | tail -n 8 | sed 's/^/# /'
exit $failed
