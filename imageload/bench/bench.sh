#!/usr/bin/env bash
# Side-by-side bench: N JPEGs of 1024x768 -> 224x224 bilinear rgb float32.
#   imageload (drivesync images, 2 workers, no cache) vs a Python loop of
#   Keras-style load_img + img_to_array (Pillow + numpy), both writing .npy;
#   then imageload --draft, and a second cached run.
# Runs are interleaved ROUNDS times and the median reported, since the
# machine may be shared. Needs Debian's python3-pil and python3-numpy.
#
#   imageload/bench/bench.sh [N] [ROUNDS]      (env BENCH_DIR, default /tmp/imageload-bench)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
n="${1:-1000}"
rounds="${2:-3}"
work="${BENCH_DIR:-/tmp/imageload-bench}"
py=/usr/bin/python3
mkdir -p "$work/images"
echo "== load average at start: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores"
echo "== generating $n JPEGs in $work/images (skips existing)"
$py "$here/gen_images.py" "$work/images" "$n"
echo "== building drivesync"
(cd "$repo" && go build -o "$work/drivesync" ./cmd/drivesync)
ds=("$work/drivesync" --home "$work/home" --log-level warn images "$work/images" --size 224x224 --interpolation bilinear --workers 2)

# secs CMD...: prints "wall cpu" (seconds; cpu = user + system of CMD and its children).
secs() {
  local TIMEFORMAT='%R %U %S' out
  out=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
  set -- $out
  echo "$1 $(echo "$2 + $3" | bc -l)"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
py_t=(); go_t=(); dr_t=(); ca_t=(); py_c=(); go_c=(); dr_c=(); ca_c=()
run() { # run ARRAY_WALL ARRAY_CPU CMD...
  local -n wall=$1 cpu=$2; shift 2
  local r; r=$(secs "$@"); wall+=("${r% *}"); cpu+=("${r#* }")
}
for r in $(seq "$rounds"); do
  run py_t py_c $py "$here/keras_loop.py" "$work/images" "$work/keras.npy" 224x224 bilinear
  run go_t go_c taskset -c 0,1 "${ds[@]}" --no-cache --out "$work/go.npy"
  run dr_t dr_c taskset -c 0,1 "${ds[@]}" --no-cache --draft --out "$work/draft.npy"
  rm -rf "$work/home/state/imagecache"
  "${ds[@]}" --out "$work/cached.npy" >/dev/null   # fill the cache
  run ca_t ca_c taskset -c 0,1 "${ds[@]}" --out "$work/cached.npy"
  echo "round $r (wall/cpu s): python ${py_t[-1]}/${py_c[-1]}, imageload ${go_t[-1]}/${go_c[-1]}, draft ${dr_t[-1]}/${dr_c[-1]}, cached ${ca_t[-1]}/${ca_c[-1]}"
done
echo
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '\n%-38s %8s %10s %8s %10s %14s %8s\n' "median of $rounds, $n images" "wall s" "images/s" "speedup" "CPU ms/img" "img/s, 2 cores*" "speedup*"
row() { # name wall cpu cores
  local w c ips cps
  w=$(median "${!2}"); c=$(median "${!3}")
  ips=$(echo "$n/$w" | bc -l); cps=$(echo "$n/($c/$4)" | bc -l)
  printf '%-38s %8.2f %10.1f %7.2fx %10.2f %14.1f %7.2fx\n' "$1" "$w" "$ips" "$(echo "$ips/$p_ips" | bc -l)" "$(echo "1000*$c/$n" | bc -l)" "$cps" "$(echo "$cps/$p_cps" | bc -l)"
}
p_ips=$(echo "$n/$(median "${py_t[@]}")" | bc -l); p_cps=$(echo "$n/$(median "${py_c[@]}")" | bc -l)
row "Python load_img+img_to_array (1 core)" 'py_t[@]' 'py_c[@]' 1
row "imageload, 2 workers" 'go_t[@]' 'go_c[@]' 2
row "imageload --draft, 2 workers" 'dr_t[@]' 'dr_c[@]' 2
row "imageload, cached (2nd run)" 'ca_t[@]' 'ca_c[@]' 2
echo "* CPU-bound rate: images / (CPU seconds / cores), i.e. what the run achieves when it has its cores to itself."
echo
echo "imageload vs Python: $($py "$here/compare.py" "$work/go.npy" "$work/keras.npy")"
echo "cached vs Python:    $($py "$here/compare.py" "$work/cached.npy" "$work/keras.npy")"
echo "draft vs Python:     $($py "$here/compare.py" "$work/draft.npy" "$work/keras.npy")"
