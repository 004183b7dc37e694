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
echo "== generating $n JPEGs in $work/images (skips existing)"
$py "$here/gen_images.py" "$work/images" "$n"
echo "== building drivesync"
(cd "$repo" && go build -o "$work/drivesync" ./cmd/drivesync)
ds=("$work/drivesync" --home "$work/home" --log-level warn images "$work/images" --size 224x224 --interpolation bilinear --workers 2)

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
py_t=(); go_t=(); dr_t=(); ca_t=()
for r in $(seq "$rounds"); do
  py_t+=("$(secs $py "$here/keras_loop.py" "$work/images" "$work/keras.npy" 224x224 bilinear)")
  go_t+=("$(secs taskset -c 0,1 "${ds[@]}" --no-cache --out "$work/go.npy")")
  dr_t+=("$(secs taskset -c 0,1 "${ds[@]}" --no-cache --draft --out "$work/draft.npy")")
  rm -rf "$work/home/state/imagecache"
  "${ds[@]}" --out "$work/cached.npy" >/dev/null   # fill the cache
  ca_t+=("$(secs taskset -c 0,1 "${ds[@]}" --out "$work/cached.npy")")
  echo "round $r: python ${py_t[-1]} s, imageload ${go_t[-1]} s, draft ${dr_t[-1]} s, cached ${ca_t[-1]} s"
done
p=$(median "${py_t[@]}"); g=$(median "${go_t[@]}"); d=$(median "${dr_t[@]}"); c=$(median "${ca_t[@]}")
printf '\n%-34s %8s %10s %8s\n' "median of $rounds, $n images" "seconds" "images/s" "speedup"
printf '%-34s %8.2f %10.1f %8s\n' "Python load_img+img_to_array (1 core)" "$p" "$(echo "$n/$p" | bc -l)" "1.00x"
printf '%-34s %8.2f %10.1f %7.2fx\n' "imageload, 2 workers" "$g" "$(echo "$n/$g" | bc -l)" "$(echo "$p/$g" | bc -l)"
printf '%-34s %8.2f %10.1f %7.2fx\n' "imageload --draft, 2 workers" "$d" "$(echo "$n/$d" | bc -l)" "$(echo "$p/$d" | bc -l)"
printf '%-34s %8.2f %10.1f %7.2fx\n' "imageload, cached (2nd run)" "$c" "$(echo "$n/$c" | bc -l)" "$(echo "$p/$c" | bc -l)"
echo
echo "imageload vs Python: $($py "$here/compare.py" "$work/go.npy" "$work/keras.npy")"
echo "cached vs Python:    $($py "$here/compare.py" "$work/cached.npy" "$work/keras.npy")"
echo "draft vs Python:     $($py "$here/compare.py" "$work/draft.npy" "$work/keras.npy")"
