"""The bundled example (the README's first command) finds exactly its planted defects,
and its carefully written twin stays clean."""

from __future__ import annotations

from conftest import ROOT
from secreview.api import review
from secreview.config import Config


def test_vulnerable_example_exact_findings():
    report = review([str(ROOT / "examples")], Config(jobs=1), cwd=ROOT)
    assert report.complete
    assert [(f.path, f.line, f.rule) for f in report.findings] == [
        ("examples/vulnerable_service.py", 21, "SR201"),  # hard-coded DB password
        ("examples/vulnerable_service.py", 35, "SR403"),  # check-then-act outside the lock (on the change)
        ("examples/vulnerable_service.py", 43, "SR104"),  # request data into a shell (taint, with trace)
        ("examples/vulnerable_service.py", 50, "SR424"),  # connection closed only on success
        ("examples/vulnerable_service.py", 51, "SR113"),  # request data in SQL built with % (taint)
        ("examples/vulnerable_service.py", 58, "SR512"),  # yaml.load of the body (taint)
        ("examples/vulnerable_service.py", 59, "SR512"),  # pickle of an upload (taint)
        ("examples/vulnerable_service.py", 60, "SR204"),  # auth token logged
        ("examples/vulnerable_service.py", 65, "SR307"),  # verify=False
        ("examples/vulnerable_service.py", 65, "SR507"),  # no timeout
        ("examples/vulnerable_service.py", 69, "SR309"),  # random for a token
        ("examples/vulnerable_service.py", 73, "SR302"),  # md5 password hash
        ("examples/vulnerable_service.py", 78, "SR401"),  # exists() then makedirs()
        ("examples/vulnerable_service.py", 79, "SR205"),  # chmod 0o777
        ("examples/vulnerable_service.py", 83, "SR206"),  # 0.0.0.0
        ("examples/vulnerable_service.py", 83, "SR207"),  # debug=True
    ]
    shell = next(f for f in report.findings if f.rule == "SR104")
    assert [(s.line, s.note.split(":")[0]) for s in shell.trace] == [
        (42, "source"), (42, "assigned to `fmt`"), (43, "sink (command)")]
    assert shell.snippet == ('    subprocess.check_call("qemu-img convert -O %s %s out.img" % (fmt, image), '
                             'shell=True)')
