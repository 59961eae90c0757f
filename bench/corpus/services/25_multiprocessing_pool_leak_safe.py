#!/usr/bin/env python
"""swift-object-audit: checksum object files under a device in parallel."""
import argparse
import hashlib
import multiprocessing
import os
import sys


def md5_of(path):
    h = hashlib.md5(usedforsecurity=False)
    with open(path, 'rb') as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b''):
            h.update(chunk)
    return path, h.hexdigest()


def audit(device_root, workers):
    paths = [os.path.join(d, f) for d, _, files in os.walk(device_root)
             for f in files if f.endswith('.data')]
    with multiprocessing.Pool(workers) as pool:
        results = pool.map(md5_of, paths, chunksize=64)
    return dict(results)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('device_root')
    parser.add_argument('--workers', type=int, default=4)
    args = parser.parse_args(argv)
    for path, digest in sorted(audit(args.device_root, args.workers).items()):
        print(digest, path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
