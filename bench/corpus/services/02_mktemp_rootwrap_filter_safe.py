"""Write a temporary rootwrap filter and run a privileged command with it."""
import os
import subprocess
import tempfile

FILTER_TEMPLATE = """[Filters]
%(name)s: CommandFilter, %(binary)s, root
"""


def run_privileged(name, binary, args):
    fd, filter_path = tempfile.mkstemp(suffix='.filters', prefix='rootwrap-')
    with os.fdopen(fd, 'w') as fh:
        fh.write(FILTER_TEMPLATE % {'name': name, 'binary': binary})
    try:
        cmd = ['sudo', 'nova-rootwrap', filter_path, binary] + list(args)
        return subprocess.check_output(cmd)
    finally:
        os.unlink(filter_path)


def main():
    out = run_privileged('ip', '/sbin/ip', ['link', 'show'])
    print(out.decode())


if __name__ == '__main__':
    main()
