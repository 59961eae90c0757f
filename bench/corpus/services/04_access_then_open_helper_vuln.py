#!/usr/bin/env python
"""Setuid-root helper used by the log collector to read a user-requested log."""
import argparse
import os
import sys


def dump_log(path, out):
    if not os.access(path, os.R_OK):
        sys.stderr.write("permission denied: %s\n" % path)
        return 1
    with open(path, 'rb') as fh:
        for chunk in iter(lambda: fh.read(65536), b''):
            out.write(chunk)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description='dump a log file')
    parser.add_argument('path')
    args = parser.parse_args(argv)
    return dump_log(args.path, sys.stdout.buffer)


if __name__ == '__main__':
    sys.exit(main())
