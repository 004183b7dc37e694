#!/usr/bin/env python3
"""Write a tree of exactly N entries (files + folders, the root not counted) for glob/bench/bench.sh.

Layout, with C classes:
  class_CC/sub_S/img_NNNNN.{jpg,png,txt}   the bulk: 6 in 10 .jpg, 3 .png, 1 .txt
  class_CC/sub_S/.meta.txt                  hidden file in every sub folder
  class_CC/sub_S/aug/img_NNNNN_aug.{jpg,png}  one level deeper
  class_CC/.cache/img_NNNNN.jpg             hidden folder: "**" must not enter it
  .trash/img_NNNNN.jpg                      hidden top-level folder
Files are empty: glob only reads names.

  gen_tree.py DIR [N]     (DIR must not exist or be empty)
"""
import os
import sys

EXTS = ["jpg"] * 6 + ["png"] * 3 + ["txt"]


def main():
    root = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    classes, subs, aug, cache, trash = 20, 10, 20, 10, 50
    os.makedirs(root, exist_ok=True)
    if os.listdir(root):
        sys.exit(f"gen_tree.py: {root} is not empty")
    count = 0

    def touch(path):
        nonlocal count
        open(path, "wb").close()
        count += 1

    def mkdir(path):
        nonlocal count
        os.mkdir(path)
        count += 1

    mkdir(os.path.join(root, ".trash"))
    for i in range(trash):
        touch(os.path.join(root, ".trash", f"img_{i:05d}.jpg"))
    leaves = []
    for c in range(classes):
        cdir = os.path.join(root, f"class_{c:02d}")
        mkdir(cdir)
        mkdir(os.path.join(cdir, ".cache"))
        for i in range(cache):
            touch(os.path.join(cdir, ".cache", f"img_{i:05d}.jpg"))
        for s in range(subs):
            sdir = os.path.join(cdir, f"sub_{s}")
            mkdir(sdir)
            touch(os.path.join(sdir, ".meta.txt"))
            mkdir(os.path.join(sdir, "aug"))
            for i in range(aug):
                touch(os.path.join(sdir, "aug", f"img_{i:05d}_aug.{'jpg' if i % 2 else 'png'}"))
            leaves.append(sdir)
    rest = n - count
    if rest < 0:
        sys.exit(f"gen_tree.py: N={n} is below the fixed skeleton of {count} entries")
    for k, sdir in enumerate(leaves):
        share = rest // len(leaves) + (1 if k < rest % len(leaves) else 0)
        for i in range(share):
            touch(os.path.join(sdir, f"img_{i:05d}.{EXTS[i % len(EXTS)]}"))
    print(f"{count} entries in {root}")


if __name__ == "__main__":
    main()
