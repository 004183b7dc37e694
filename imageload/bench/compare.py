#!/usr/bin/python3
"""compare.py A.npy B.npy: prints "equal" or the largest absolute difference."""
import sys

import numpy as np

a, b = np.load(sys.argv[1], mmap_mode="r"), np.load(sys.argv[2], mmap_mode="r")
if a.shape != b.shape or a.dtype != b.dtype:
    print(f"shape/dtype differ: {a.shape} {a.dtype} vs {b.shape} {b.dtype}")
elif np.array_equal(a, b):
    print("equal")
else:
    d = np.abs(a.astype(np.float64) - b.astype(np.float64))
    print(f"differ: max |d| {d.max():.0f}, mean |d| {d.mean():.3f}, {np.count_nonzero(d)} of {d.size} samples")
