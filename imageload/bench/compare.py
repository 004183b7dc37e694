#!/usr/bin/python3
"""compare.py A.npy B.npy: prints "equal" or how far apart they are (chunked, low memory)."""
import sys

import numpy as np

a, b = np.load(sys.argv[1], mmap_mode="r"), np.load(sys.argv[2], mmap_mode="r")
if a.shape != b.shape or a.dtype != b.dtype:
    print(f"shape/dtype differ: {a.shape} {a.dtype} vs {b.shape} {b.dtype}")
    sys.exit(0)
mx, total, n = 0.0, 0.0, 0
for i in range(0, a.shape[0], 32):
    d = np.abs(a[i:i + 32].astype(np.float64) - b[i:i + 32].astype(np.float64))
    mx, total, n = max(mx, float(d.max(initial=0))), total + float(d.sum()), n + int(np.count_nonzero(d))
if n == 0:
    print("equal")
else:
    print(f"differ: max |d| {mx:.0f}, mean |d| {total / a.size:.3f}, {n} of {a.size} samples")
