#!/usr/bin/python3
"""The baseline: a Python loop of Keras-style load_img + img_to_array (Pillow +
numpy, as keras.utils does them; see ../testdata/gen_goldens.py), stacked into
one (N, H, W, C) float32 array and saved with np.save.

    /usr/bin/python3 keras_loop.py DIR OUT.npy [HxW] [interpolation]
Prints: images, seconds, images/s.
"""
import io
import os
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata"))
from gen_goldens import img_to_array, load_img  # noqa: E402


def main():
    d, out = sys.argv[1], sys.argv[2]
    h, w = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "224x224").split("x"))
    interp = sys.argv[4] if len(sys.argv) > 4 else "bilinear"
    paths = sorted(os.path.join(d, f) for f in os.listdir(d) if f.lower().endswith((".jpg", ".jpeg")))
    t0 = time.perf_counter()
    arrays = []
    for p in paths:
        with open(p, "rb") as f:  # keras.utils.load_img reads the file into BytesIO
            img = Image.open(io.BytesIO(f.read()))
        arrays.append(img_to_array(load_img(img, "rgb", (h, w), interp)))
    np.save(out, np.stack(arrays))
    dt = time.perf_counter() - t0
    print(f"{len(paths)} {dt:.3f} {len(paths) / dt:.1f}")


if __name__ == "__main__":
    main()
