#!/usr/bin/env bash
# End-to-end glob bench (issue 6): `drivesync glob PATTERN --dir MOUNT --no-fetch`
# against Python's glob.glob(PATTERN, root_dir=MOUNT, recursive=True) over the
# same mirrored tree of N entries (files + folders).
#
#   1. gen_tree.py writes N entries (class_CC/sub_S/img_*.{jpg,png,txt}, some
#      hidden files and folders) into $work/tree;
#   2. `drivesync fake-drive --seed` serves it (drive kept in $work/drive, so a
#      rerun skips the seeding), `drivesync mount --once` mirrors it into
#      $work/mount with DRIVESYNC_HOME=$work/home, and the mount's state must
#      hold N entries;
#   3. phase "state": no daemon, glob answers from the mount's state.db;
#      phase "daemon": `drivesync mount` runs in the background and glob asks it.
#      In each phase one warm-up round of everything, then ROUNDS rounds with the
#      Python and drivesync runs interleaved; medians and ratios
#      (python time / drivesync time) per pattern, of wall time and of the CPU
#      time (user + system) of the process itself (from bash's `times`, which
#      shifts less than wall time when other jobs share the cores; through the
#      daemon it leaves out the daemon's part). The page cache is warm (no root
#      to drop it).
#
# Like for like: each side is a fresh process (Python's interpreter start is
# timed as drivesync's process start is) that prints every result, one per
# line, to stdout (/dev/null): Python its glob.glob list as returned (relative
# to root_dir, in directory order), drivesync the sorted absolute paths (more
# bytes; an earlier version of this script had Python print only the count).
# Before timing, the two outputs must name the same paths (compared sorted).
# Times are taken with bash's $EPOCHREALTIME, so no `date` process start is
# counted.
#
#   glob/bench/bench.sh [N] [ROUNDS]     (env BENCH_DIR, default /tmp/glob-bench)
set -euo pipefail
export LC_NUMERIC=C # $EPOCHREALTIME with a "." decimal point
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
n="${1:-100000}"
rounds="${2:-5}"
work="${BENCH_DIR:-/tmp/glob-bench}"
py=/usr/bin/python3
# gen_tree.py zero-pads names (img_00042.jpg), so the depth-2 prefix pattern is img_001*, not img_1*.
patterns=('**/*.jpg' 'class_07/**/*.png' '*/*/img_001*.jpg')
pycode='import glob,sys; r=glob.glob(sys.argv[1], root_dir=sys.argv[2], recursive=True); sys.stdout.write("".join(p + "\n" for p in r))'

mkdir -p "$work"
export DRIVESYNC_HOME="$work/home"
ds="$work/drivesync"
mnt="$work/mount"
echo "== building drivesync"
(cd "$repo" && go build -o "$ds" ./cmd/drivesync)

if [ ! -e "$work/tree.done" ] || [ "$(cat "$work/tree.done")" != "$n" ]; then
  echo "== generating $n entries in $work/tree"
  rm -rf "$work/tree" "$work/drive" "$work/mount" "$work/home" "$work/tree.done"
  $py "$here/gen_tree.py" "$work/tree" "$n"
  echo "$n" >"$work/tree.done"
fi

fd_pid=""
cleanup() {
  "$ds" --log-level error unmount "$mnt" >/dev/null 2>&1 || true
  if [ -n "$fd_pid" ]; then kill "$fd_pid" 2>/dev/null || true; wait "$fd_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "== serving it with drivesync fake-drive (seeding $n entries takes minutes the first time)"
rm -f "$work/fd.out" "$work/fd.err"
"$ds" --log-level warn fake-drive --seed "$work/tree" --state "$work/drive" --listen 127.0.0.1:0 \
  >"$work/fd.out" 2>"$work/fd.err" &
fd_pid=$!
until [ -s "$work/fd.out" ] && grep -q 'access token' "$work/fd.err"; do
  kill -0 "$fd_pid" 2>/dev/null || { cat "$work/fd.err" >&2; echo "fake-drive exited" >&2; exit 1; }
  sleep 0.5
done
url="$(head -n1 "$work/fd.out")"
token="$(sed -n 's/.*a ready access token: //p' "$work/fd.err")"
echo "   $url"

echo "== mirroring into $mnt (drivesync mount --once)"
mkdir -p "$mnt"
t0=$(date +%s%N)
"$ds" --log-level warn --endpoint "$url" --home "$DRIVESYNC_HOME" mount --once --foreground --progress none \
  --token "$token" "$mnt"
echo "   $(( ($(date +%s%N) - t0) / 1000000 )) ms"
entries=$("$ds" status --json "$mnt" | $py -c 'import json,sys; s=json.load(sys.stdin); print(s["files"]+s["dirs"])')
ondisk=$(find "$mnt" -mindepth 1 ! -path "$mnt/.drivesync" | wc -l) # .drivesync: the mount's marker
echo "   state holds $entries entries, the disk $ondisk"
if [ "$entries" != "$n" ] || [ "$ondisk" != "$n" ]; then
  echo "want $n entries in the state and on disk" >&2
  exit 1
fi

cputimes() { # cputimes FILE: CPU seconds (user + system) of the waited-for children in `times` output
  awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.6f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"
}
ms() { # ms CMD...: "WALL CPU", milliseconds of CMD (stdout discarded); CPU is user + system
  local t0 t1
  times >"$work/times0"; t0=$EPOCHREALTIME; "$@" >/dev/null; t1=$EPOCHREALTIME; times >"$work/times1"
  awk -v a="$t0" -v b="$t1" -v c="$(cputimes "$work/times0")" -v d="$(cputimes "$work/times1")" \
    'BEGIN {printf "%.1f %.1f", (b - a) * 1000, (d - c) * 1000}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A pyt dst pyc dsc
declare -a results
phase() { # phase NAME: warm-up, ROUNDS interleaved rounds, table
  local name=$1 p i r k
  for i in "${!patterns[@]}"; do
    p=${patterns[$i]}
    local pc dc
    $py -c "$pycode" "$p" "$mnt" | sed "s|^|$mnt/|" | LC_ALL=C sort >"$work/py.out"
    "$ds" glob "$p" --dir "$mnt" --no-fetch | LC_ALL=C sort >"$work/ds.out"
    pc=$(wc -l <"$work/py.out"); dc=$(wc -l <"$work/ds.out")
    echo "   $name: '$p': python $pc results, drivesync $dc"
    if ! cmp -s "$work/py.out" "$work/ds.out"; then
      echo "results differ for '$p':" >&2; diff "$work/py.out" "$work/ds.out" | head >&2; exit 1
    fi
    results[$i]=$pc
    pyt[$name,$i]=""; dst[$name,$i]=""; pyc[$name,$i]=""; dsc[$name,$i]=""
  done
  for r in $(seq 0 "$rounds"); do # round 0 is the warm-up
    for i in "${!patterns[@]}"; do
      p=${patterns[$i]}
      local a b
      a=($(ms $py -c "$pycode" "$p" "$mnt"))
      b=($(ms "$ds" glob "$p" --dir "$mnt" --no-fetch))
      if [ "$r" -gt 0 ]; then
        pyt[$name,$i]+="${a[0]} "; dst[$name,$i]+="${b[0]} "; pyc[$name,$i]+="${a[1]} "; dsc[$name,$i]+="${b[1]} "
      fi
    done
  done
  printf '\n%-8s %-20s %8s %10s %10s %7s   %10s %10s %7s\n' "$name" pattern results "python ms" "ours ms" ratio "py CPU ms" "our CPU" ratio
  for i in "${!patterns[@]}"; do
    local pm dm pc dc
    # shellcheck disable=SC2086
    pm=$(median ${pyt[$name,$i]}); dm=$(median ${dst[$name,$i]}); pc=$(median ${pyc[$name,$i]}); dc=$(median ${dsc[$name,$i]})
    printf '%-8s %-20s %8s %10.1f %10.1f %6.1fx   %10.1f %10.1f %6.1fx\n' "$name" "${patterns[$i]}" "${results[$i]}" \
      "$pm" "$dm" "$(awk -v a="$pm" -v b="$dm" 'BEGIN {print a / b}')" \
      "$pc" "$dc" "$(awk -v a="$pc" -v b="$dc" 'BEGIN {print (b > 0 ? a / b : 0)}')"
    echo "         wall rounds: python ${pyt[$name,$i]}| drivesync ${dst[$name,$i]}"
    echo "         CPU rounds:  python ${pyc[$name,$i]}| drivesync ${dsc[$name,$i]}"
  done
  echo
}

echo "== phase state: no daemon; $rounds rounds after a warm-up, medians"
phase state

echo "== phase daemon: starting drivesync mount in the background"
"$ds" --log-level warn --endpoint "$url" --home "$DRIVESYNC_HOME" mount --progress none --token "$token" "$mnt"
phase daemon
"$ds" --log-level warn unmount "$mnt"

echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "python: $($py --version), drivesync: $(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo "(not a git checkout)")"
