#!/usr/bin/python3
"""Write N deterministic photo-like 1024x768 JPEGs (quality 90, 4:2:0) to DIR.

    /usr/bin/python3 gen_images.py DIR [N]
"""
import os
import sys

import numpy as np
from PIL import Image


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2024)
    for i in range(n):
        p = os.path.join(out, f"img{i:05d}.jpg")
        if os.path.exists(p):
            continue
        # Smooth structure (a coarse random image upscaled) plus texture noise:
        # roughly the entropy of a photograph, ~150-250 KB at quality 90.
        coarse = rng.integers(0, 256, size=(12, 16, 3), dtype=np.uint8)
        img = Image.fromarray(coarse, "RGB").resize((1024, 768), Image.BICUBIC)
        a = np.asarray(img, dtype=np.int16) + rng.normal(0, 7, size=(768, 1024, 3)).astype(np.int16)
        Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB").save(p, quality=90)


if __name__ == "__main__":
    main()
