#!/usr/bin/env python
"""glance-image-convert: convert an image to raw in a scratch directory."""
import argparse
import os
import shutil
import subprocess
import sys


def convert(src, dest):
    workdir = os.path.join('/tmp', 'glance-convert')
    if not os.path.isdir(workdir):
        os.mkdir(workdir)
    scratch = os.path.join(workdir, os.path.basename(dest) + '.part')
    subprocess.check_call(['qemu-img', 'convert', '-O', 'raw', src, scratch])
    shutil.move(scratch, dest)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('source')
    parser.add_argument('dest')
    args = parser.parse_args(argv)
    convert(args.source, args.dest)
    return 0


if __name__ == '__main__':
    sys.exit(main())
