#!/usr/bin/python3
"""Generate imageload's test corpus and golden outputs with Pillow.

Run with Debian's python3-pil and python3-numpy (Pillow 9.4 on bookworm):

    /usr/bin/python3 imageload/testdata/gen_goldens.py            # rewrite all
    /usr/bin/python3 imageload/testdata/gen_goldens.py --dump CASE out.npy

The first form writes corpus/ (deterministic synthetic images in every PNG
colour type and bit depth, JPEG variants, GIF, BMP), goldens.tsv (one line per
case: the SHA-256 of keras load_img + img_to_array's float32 output) and
dataset.json (numpy RandomState shuffles and an index_directory listing).
The second form writes one case's full array, for the Go test to report the
first differing pixel when a hash does not match.

load_img and img_to_array below are transcribed from keras-team/keras
keras/src/utils/image_utils.py; index_directory's listing and the shuffle from
keras/src/utils/dataset_utils.py. TensorFlow is not needed.
"""

import hashlib
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

INTERP = {
    "nearest": Image.NEAREST,
    "bilinear": Image.BILINEAR,
    "bicubic": Image.BICUBIC,
    "hamming": Image.HAMMING,
    "box": Image.BOX,
    "lanczos": Image.LANCZOS,
}
SIZES = [(13, 19), (71, 53), (24, 64)]  # (height, width): down, up, mixed
MODES = ["rgb", "grayscale", "rgba"]


# ---------------------------------------------------------------- keras ---
def load_img(img, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """keras.utils.load_img after pil_image.open (img is an opened image)."""
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError(color_mode)
    if target_size is not None:
        width_height_tuple = (target_size[1], target_size[0])
        if img.size != width_height_tuple:
            resample = INTERP[interpolation]
            if keep_aspect_ratio:
                width, height = img.size
                target_width, target_height = width_height_tuple
                crop_height = (width * target_height) // target_width
                crop_width = (height * target_width) // target_height
                crop_height = min(height, crop_height)
                crop_width = min(width, crop_width)
                crop_box_hstart = (height - crop_height) // 2
                crop_box_wstart = (width - crop_width) // 2
                crop_box_wend = crop_box_wstart + crop_width
                crop_box_hend = crop_box_hstart + crop_height
                crop_box = [crop_box_wstart, crop_box_hstart, crop_box_wend, crop_box_hend]
                img = img.resize(width_height_tuple, resample, box=crop_box)
            else:
                img = img.resize(width_height_tuple, resample)
    return img


def img_to_array(img):
    x = np.asarray(img, dtype="float32")
    if len(x.shape) == 2:
        x = x.reshape((x.shape[0], x.shape[1], 1))
    return x


def run_case(fname, mode, interp, size, kar, draft, exif):
    with open(os.path.join(CORPUS, fname), "rb") as f:
        img = Image.open(io.BytesIO(f.read()))
    if draft and size is not None and img.format == "JPEG":
        th, tw = size
        if exif and img.getexif().get(0x0112, 1) >= 5:
            th, tw = tw, th
        img.draft(img.mode, (tw, th))
    if exif:
        img = ImageOps.exif_transpose(img)
    img = load_img(img, mode, size, interp, kar)
    return img_to_array(img)


# ------------------------------------------------------------ writers ---
def chunk(typ, body):
    c = struct.pack(">I", len(body)) + typ + body
    return c + struct.pack(">I", zlib.crc32(typ + body) & 0xFFFFFFFF)


def pack_row(row, depth):
    row = [int(v) for v in row]
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in row)
    if depth == 8:
        return bytes(row)
    per = 8 // depth
    out = bytearray()
    for i in range(0, len(row), per):
        b = 0
        grp = row[i:i + per]
        for j, v in enumerate(grp):
            b |= v << (8 - depth * (j + 1))
        out.append(b)
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, samples, color_type, depth, palette=None, trns=None, interlace=False, exif=None):
    """samples: (h, w, c) integer array already in the bit depth's range."""
    h, w = samples.shape[:2]
    flat = samples.reshape(h, w, -1)

    def rows(a):
        return b"".join(b"\x00" + pack_row(a[y].reshape(-1), depth) for y in range(a.shape[0]))

    if interlace:
        raw = b""
        for xs, ys, dx, dy in ADAM7:
            sub = flat[ys::dy, xs::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += rows(sub)
    else:
        raw = rows(flat)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0))
    if exif is not None:
        out += chunk(b"eXIf", exif)
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(raw, 9))
    out += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def write_bmp(path, idx_or_rgb, bits, palette=None, top_down=False):
    """Uncompressed BITMAPINFOHEADER BMP. palette: list of (r,g,b)."""
    h, w = idx_or_rgb.shape[:2]
    stride = ((w * bits + 31) >> 3) & ~3
    rows = []
    for y in range(h):
        r = idx_or_rgb[y]
        if bits in (1, 4, 8):
            b = pack_row(r.reshape(-1), bits)
        elif bits == 16:
            b = b"".join(struct.pack("<H", ((int(p[0]) >> 3) << 10) | ((int(p[1]) >> 3) << 5) | (int(p[2]) >> 3)) for p in r)
        elif bits == 24:
            b = b"".join(bytes((int(p[2]), int(p[1]), int(p[0]))) for p in r)
        else:
            b = b"".join(bytes((int(p[2]), int(p[1]), int(p[0]), int(p[3]))) for p in r)
        rows.append(b + b"\x00" * (stride - len(b)))
    if not top_down:
        rows = rows[::-1]
    pal = b""
    if palette is not None:
        pal = b"".join(bytes((b, g, r, 0)) for r, g, b in palette)
    off = 14 + 40 + len(pal)
    data = b"".join(rows)
    hdr = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bits, 0, len(data), 2835, 2835,
                      len(palette) if palette is not None else 0, 0)
    with open(path, "wb") as f:
        f.write(b"BM" + struct.pack("<IHHI", off + len(data), 0, 0, off) + hdr + pal + data)


# ------------------------------------------------------------- corpus ---
def content(h, w, seed, maxv=255):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = x / max(w - 1, 1)
    g = y / max(h - 1, 1)
    b = ((x // 5 + y // 4) % 2) * 0.8 + 0.1  # hard edges: negative lobes clip
    base = np.stack([r, g, b], axis=-1)
    noise = rng.normal(0, 0.08, size=base.shape)
    return np.clip((base + noise) * maxv, 0, maxv).round().astype(np.int64)


def alpha(h, w, seed, maxv=255):
    rng = np.random.default_rng(seed + 1000)
    a = rng.integers(0, maxv + 1, size=(h, w))
    a[: h // 3, :] = maxv
    a[h // 3: h // 2, : w // 2] = 0
    return a


def make_corpus():
    os.makedirs(CORPUS, exist_ok=True)
    for f in os.listdir(CORPUS):
        os.remove(os.path.join(CORPUS, f))
    H, W = 30, 40
    rgb8 = content(H, W, 1)
    rgb16 = content(H, W, 2, 65535)
    gray8 = rgb8[..., :1]
    a8 = alpha(H, W, 3)[..., None]
    a16 = alpha(H, W, 4, 65535)[..., None]

    # PNG: every colour type and bit depth.
    for d in (1, 2, 4, 8, 16):
        g = (content(H, W, 10 + d, (1 << d) - 1)[..., :1])
        if d == 16:
            g[: H // 4] = g[: H // 4] // 200  # values around the 0..255 clip
        write_png(f"{CORPUS}/png_g{d}.png", g, 0, d)
    write_png(f"{CORPUS}/png_g2_trns.png", content(H, W, 20, 3)[..., :1], 0, 2, trns=struct.pack(">H", 3))
    g8 = content(H, W, 21)[..., :1]
    write_png(f"{CORPUS}/png_g8_trns.png", g8, 0, 8, trns=struct.pack(">H", int(g8[5, 5, 0])))
    g16 = content(H, W, 22, 65535)[..., :1]
    g16[:10] //= 300
    write_png(f"{CORPUS}/png_g16_trns.png", g16, 0, 16, trns=struct.pack(">H", int(g16[2, 2, 0])))
    write_png(f"{CORPUS}/png_rgb8.png", rgb8, 2, 8)
    write_png(f"{CORPUS}/png_rgb16.png", rgb16, 2, 16)
    q = (rgb8 // 64) * 64  # few colours so the key matches many pixels
    write_png(f"{CORPUS}/png_rgb8_trns.png", q, 2, 8, trns=struct.pack(">HHH", *[int(v) for v in q[0, 0]]))
    write_png(f"{CORPUS}/png_rgb16_trns.png", rgb16, 2, 16, trns=struct.pack(">HHH", *[int(v) for v in rgb16[3, 3]]))
    rng = np.random.default_rng(7)
    for d in (1, 2, 4, 8):
        n = 1 << d
        pal = rng.integers(0, 256, size=(n, 3))
        idx = content(H, W, 30 + d, n - 1)[..., :1]
        write_png(f"{CORPUS}/png_p{d}.png", idx, 3, d, palette=pal.astype(np.uint8).reshape(-1))
    pal = rng.integers(0, 256, size=(256, 3))
    idx = rng.integers(0, 256, size=(H, W, 1))
    trns = bytes(int(v) for v in rng.integers(0, 256, size=200))
    write_png(f"{CORPUS}/png_p8_trns.png", idx, 3, 8, palette=pal.astype(np.uint8).reshape(-1), trns=trns)
    pal4 = rng.integers(0, 256, size=(16, 3))
    idx4 = content(H, W, 41, 15)[..., :1]
    write_png(f"{CORPUS}/png_p4_trns1.png", idx4, 3, 4, palette=pal4.astype(np.uint8).reshape(-1), trns=b"\xff\xff\x00")
    write_png(f"{CORPUS}/png_la8.png", np.concatenate([gray8, a8], -1), 4, 8)
    write_png(f"{CORPUS}/png_la16.png", np.concatenate([rgb16[..., :1], a16], -1), 4, 16)
    write_png(f"{CORPUS}/png_rgba8.png", np.concatenate([rgb8, a8], -1), 6, 8)
    write_png(f"{CORPUS}/png_rgba16.png", np.concatenate([rgb16, a16], -1), 6, 16)
    # Interlaced (Adam7).
    write_png(f"{CORPUS}/png_i_g4.png", content(H, W, 50, 15)[..., :1], 0, 4, interlace=True)
    write_png(f"{CORPUS}/png_i_g16.png", rgb16[..., 1:2], 0, 16, interlace=True)
    write_png(f"{CORPUS}/png_i_rgb8.png", rgb8, 2, 8, interlace=True)
    write_png(f"{CORPUS}/png_i_p8.png", idx, 3, 8, palette=pal.astype(np.uint8).reshape(-1), interlace=True)
    write_png(f"{CORPUS}/png_i_rgba16.png", np.concatenate([rgb16, a16], -1), 6, 16, interlace=True)

    # JPEG: baseline and progressive at 4:4:4, 4:2:2, 4:2:0; gray; CMYK.
    jh, jw = 31, 41  # odd: partial MCUs and chroma edges
    jrgb = Image.fromarray(content(jh, jw, 60).astype(np.uint8), "RGB")
    for prog in (False, True):
        for ss, name in ((0, "444"), (1, "422"), (2, "420")):
            jrgb.save(f"{CORPUS}/jpeg_{'prog' if prog else 'base'}_{name}.jpg", quality=90, subsampling=ss,
                      progressive=prog)
    jgray = Image.fromarray(content(jh, jw, 61)[..., 0].astype(np.uint8), "L")
    jgray.save(f"{CORPUS}/jpeg_gray.jpg", quality=90)
    jgray.save(f"{CORPUS}/jpeg_gray_prog.jpg", quality=90, progressive=True)
    cm = np.concatenate([content(jh, jw, 62), content(jh, jw, 63)[..., :1] // 2], -1)
    Image.fromarray(cm.astype(np.uint8), "CMYK").save(f"{CORPUS}/jpeg_cmyk.jpg", quality=90)
    # Larger JPEGs for the DCT-domain draft mode, and EXIF-oriented ones.
    big = Image.fromarray(content(123, 161, 64).astype(np.uint8), "RGB")
    big.save(f"{CORPUS}/jpeg_big_420.jpg", quality=85, subsampling=2)
    big.save(f"{CORPUS}/jpeg_big_444_prog.jpg", quality=85, subsampling=0, progressive=True)
    Image.fromarray(content(123, 161, 65)[..., 0].astype(np.uint8), "L").save(f"{CORPUS}/jpeg_big_gray.jpg", quality=85)
    for o in (3, 6, 8):
        ex = Image.Exif()
        ex[0x0112] = o
        jrgb.save(f"{CORPUS}/jpeg_exif{o}.jpg", quality=90, exif=ex.tobytes())
    ex = Image.Exif()
    ex[0x0112] = 5
    write_png(f"{CORPUS}/png_exif5.png", rgb8, 2, 8, exif=ex.tobytes()[6:] if ex.tobytes().startswith(b"Exif") else ex.tobytes())

    # GIF.
    pim = Image.fromarray(idx[..., 0].astype(np.uint8), "P")
    pim.putpalette(pal.astype(np.uint8).reshape(-1).tolist())
    pim.save(f"{CORPUS}/gif_p.gif")
    pim.save(f"{CORPUS}/gif_p_trns.gif", transparency=int(idx[4, 4, 0]))

    # BMP.
    bpal2 = [(10, 200, 30), (250, 240, 5)]
    write_bmp(f"{CORPUS}/bmp_1.bmp", content(H, W, 70, 1)[..., :1], 1, palette=bpal2)
    write_bmp(f"{CORPUS}/bmp_1_bw.bmp", content(H, W, 71, 1)[..., :1], 1, palette=[(0, 0, 0), (255, 255, 255)])
    write_bmp(f"{CORPUS}/bmp_4.bmp", idx4, 4, palette=[tuple(int(v) for v in p) for p in pal4])
    write_bmp(f"{CORPUS}/bmp_8.bmp", idx, 8, palette=[tuple(int(v) for v in p) for p in pal])
    write_bmp(f"{CORPUS}/bmp_8_gray.bmp", gray8, 8, palette=[(i, i, i) for i in range(256)], top_down=True)
    write_bmp(f"{CORPUS}/bmp_16.bmp", rgb8, 16)
    write_bmp(f"{CORPUS}/bmp_24.bmp", rgb8, 24)
    write_bmp(f"{CORPUS}/bmp_32.bmp", np.concatenate([rgb8, a8], -1), 32)
    Image.fromarray(np.concatenate([rgb8, a8], -1).astype(np.uint8), "RGBA").save(f"{CORPUS}/bmp_pil_rgba.bmp")


# ------------------------------------------------------------- goldens ---
def cases():
    files = sorted(os.listdir(CORPUS))
    for f in files:
        exif = "exif" in f
        for mode in MODES:
            yield (f, mode, "nearest", None, False, False, exif)
            for interp in INTERP:
                for size in SIZES:
                    for kar in (False, True):
                        yield (f, mode, interp, size, kar, False, exif)
        if f.startswith("jpeg_big") or f.startswith("jpeg_exif"):
            for mode in MODES:
                for interp in ("bilinear", "nearest", "lanczos"):
                    for size in ((30, 40), (13, 19), (20, 70)):
                        for kar in (False, True):
                            yield (f, mode, interp, size, kar, True, exif)


def case_id(c):
    f, mode, interp, size, kar, draft, exif = c
    s = "none" if size is None else f"{size[0]}x{size[1]}"
    return f"{f}\t{mode}\t{interp}\t{s}\t{int(kar)}\t{int(draft)}\t{int(exif)}"


def parse_case(line):
    f, mode, interp, s, kar, draft, exif = line.split("\t")[:7]
    size = None if s == "none" else tuple(int(v) for v in s.split("x"))
    return (f, mode, interp, size, kar == "1", draft == "1", exif == "1")


def digest(a):
    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f4").tobytes()).hexdigest()[:32]


def write_goldens():
    lines = [f"# Pillow {PIL.__version__}, numpy {np.__version__}: file mode interp HxW kar draft exif shape sha256(float32)[:32]"]
    for c in cases():
        a = run_case(*c)
        shape = "x".join(str(v) for v in a.shape)
        lines.append(f"{case_id(c)}\t{shape}\t{digest(a)}")
    with open(os.path.join(HERE, "goldens.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines) - 1


FULL = ["jpeg_base_420.jpg", "jpeg_prog_444.jpg", "jpeg_gray.jpg", "jpeg_cmyk.jpg", "jpeg_big_420.jpg"]


def full_arrays():
    """A few complete decoded arrays (uint8), to measure how close the
    pure-Go JPEG fallback is and to show real pixels when debugging."""
    d = os.path.join(HERE, "full")
    os.makedirs(d, exist_ok=True)
    for f in FULL:
        a = run_case(f, "rgb", "nearest", None, False, False, False)
        np.save(os.path.join(d, f + ".npy"), a.astype(np.uint8))


def dataset_goldens():
    out = {"shuffles": []}
    for n, seed in ((10, 1), (37, 42), (100, 1337), (5, 0), (1000, 2**32 - 1)):
        x = list(range(n))
        np.random.RandomState(seed).shuffle(x)
        lab = np.arange(n, dtype="int32")
        np.random.RandomState(seed).shuffle(lab)
        assert list(lab) == x
        out["shuffles"].append({"n": n, "seed": seed, "perm": x})
    with open(os.path.join(HERE, "dataset.json"), "w") as f:
        json.dump(out, f, indent=0)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--dump":
        a = run_case(*parse_case(sys.argv[2]))
        np.save(sys.argv[3], a)
        return
    make_corpus()
    n = write_goldens()
    dataset_goldens()
    full_arrays()
    print(f"Pillow {PIL.__version__}: {len(os.listdir(CORPUS))} corpus files, {n} golden cases")


if __name__ == "__main__":
    main()
