#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The tracepoints as user space decodes them: trace-cmd (libtraceevent, as
# perf) records tenstorrent:* around known allocs, frees, a batch and two
# releases on two cards, and `trace-cmd report` must give back every field
# of every event as it was done: card, buffer id, size, type name, and the
# release's pid, record count and bytes per type. A format naming an enum
# that user space cannot resolve shows as "[FAILED TO PARSE]". Drives the
# driver with tt_hold (installed beside this script). Needs root, tracefs,
# trace-cmd and cards 0 and 1.
set -u

. "$(dirname "$0")/ktap_helpers.sh"

here=$(dirname "$0")
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing

if [ "$(id -u)" != 0 ] || [ ! -d $T/events/tenstorrent ] ||
   ! command -v trace-cmd >/dev/null ||
   [ ! -c /dev/tenstorrent/0 ] || [ ! -c /dev/tenstorrent/1 ]; then
	echo "1..0 # SKIP needs root, tracefs, trace-cmd and cards 0 and 1"
	exit $KSFT_SKIP
fi

echo "TAP version 13"
echo "1..5"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
MiB=1048576

# Card 0: allocs of four types, an id live in two types, an untyped free,
# a batch of allocs and a typed free; exits holding five records. Card 1:
# one record, left to the release.
cat >"$dir/card0" <<EOF
open /dev/tenstorrent/0
alloc 0x800000000 $MiB 0
alloc 0x10000 2048 1
alloc 0x10000 65536 5
free 0x800000000
batch +0x800100000:$((2 * MiB)):4 +0x20000:16384:6 -0x10000:5 +0x30:4096:3
alloc 0x40000000 8192 2
EOF
cat >"$dir/card1" <<EOF
open /dev/tenstorrent/1
alloc 0x7ffffffffff00000 4096 0
EOF

# Each tt_hold execs in the shell whose pid it saves: the pid it runs as.
cat >"$dir/work" <<EOF
sh -c 'echo \$\$ >$dir/pid0; exec $here/tt_hold <$dir/card0 >$dir/out0'
sh -c 'echo \$\$ >$dir/pid1; exec $here/tt_hold <$dir/card1 >$dir/out1'
EOF

check trace_cmd_record trace-cmd record -q -e tenstorrent -o "$dir/trace.dat" \
	sh "$dir/work"
pid0=$(cat "$dir/pid0" 2>/dev/null)
pid1=$(cat "$dir/pid1" 2>/dev/null)
if grep -v '^ok' "$dir/out0" "$dir/out1" >&2; then
	diag "a tt_hold command failed"
fi

trace-cmd report -i "$dir/trace.dat" >"$dir/report" 2>&1
# "comm-pid [cpu] time: event: fields" -> "event: fields"
sed -n 's/^.* \(tt_track_[a-z]*\): *\(.*\)$/\1: \2/p' "$dir/report" |
	tr -s ' ' >"$dir/events"

check every_event_parsed eval '! grep -q "FAILED TO PARSE" "$dir/report"'

cat >"$dir/want" <<EOF
tt_track_alloc: card=0 buffer_id=0x800000000 size=$MiB type=dram
tt_track_alloc: card=0 buffer_id=0x10000 size=2048 type=l1
tt_track_alloc: card=0 buffer_id=0x10000 size=65536 type=cb
tt_track_free: card=0 buffer_id=0x800000000 size=$MiB type=dram
tt_track_alloc: card=0 buffer_id=0x800100000 size=$((2 * MiB)) type=trace
tt_track_alloc: card=0 buffer_id=0x20000 size=16384 type=kernel
tt_track_free: card=0 buffer_id=0x10000 size=65536 type=cb
tt_track_alloc: card=0 buffer_id=0x30 size=4096 type=l1_small
tt_track_alloc: card=0 buffer_id=0x40000000 size=8192 type=system_memory
tt_track_release: card=0 pid=$pid0 buffers=5 bytes_per_type=0 2048 8192 4096 $((2 * MiB)) 0 16384
tt_track_alloc: card=1 buffer_id=0x7ffffffffff00000 size=4096 type=dram
tt_track_release: card=1 pid=$pid1 buffers=1 bytes_per_type=4096 0 0 0 0 0 0
EOF

# same_events EVENT: the decoded EVENT lines are the ones done, in order
same_events() {
	grep "^$1:" "$dir/want" >"$dir/want.$1"
	grep "^$1:" "$dir/events" >"$dir/got.$1"
	if ! diff -u "$dir/want.$1" "$dir/got.$1" >"$dir/diff.$1"; then
		sed 's/^/# /' "$dir/diff.$1"
		return 1
	fi
}
check alloc_events_decode same_events tt_track_alloc
check free_events_decode same_events tt_track_free
check release_events_decode same_events tt_track_release

[ $failed = 0 ] || tail -n 20 "$dir/report" | sed 's/^/# /'
exit $failed
