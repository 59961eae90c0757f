"""Summaries stale only by the lines of the steps they copied are moved, not recomputed (`taint/rebase.py`):
the review is exactly what an uncached one gives, and anything beyond a move recomputes as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview import api
from secreview.config import Config
from secreview.taint import engine
from secreview.taint.rebase import Unmapped, fingerprint, line_map, moved

HELPER = "import subprocess\n\n\ndef run(command):\n    return subprocess.run(command, shell=True)\n"
MIDDLE = "from app import helper\n\n\ndef relay(value):\n    return helper.run(value)\n"
VIEWS = ('from flask import request\n\nfrom app import middle\n\n\n'
         'def ping():\n    return middle.relay(request.args["host"])\n')


def test_line_map_pairs_the_unchanged_lines_in_order():
    old = fingerprint("a\nb\nc\n")
    new = fingerprint("x\na\nb\ny\nc\n")
    assert line_map(old, new) == {1: 2, 2: 3, 3: 5, 4: 6}  # line 4: the empty line after the last newline
    assert line_map(fingerprint("a\r\nb\rc"), fingerprint("a\nb\nc")) == {1: 1, 2: 2, 3: 3}


def test_moved_maps_the_lines_of_moved_files_only_and_refuses_an_edited_line():
    steps = {"steps": [{"path": "h.py", "line": 4, "note": "n"}, {"path": "v.py", "line": 4, "note": "n"}]}
    assert moved(steps, {"h.py": {4: 7}, "v.py": None}) == {"steps": [{"path": "h.py", "line": 7, "note": "n"},
                                                                      {"path": "v.py", "line": 4, "note": "n"}]}
    assert moved(steps, {"h.py": {4: 7}}, "blank")["steps"][1] == {"path": "v.py", "line": None, "note": "n"}
    with pytest.raises(Unmapped):  # an edited line
        moved(steps, {"h.py": {5: 8}, "v.py": None})
    with pytest.raises(Unmapped):  # a file whose lines are not known
        moved(steps, {"h.py": {4: 7}})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "helper.py").write_text(HELPER)
    (app / "middle.py").write_text(MIDDLE)
    (app / "views.py").write_text(VIEWS)
    summarised: list[str] = []
    real = engine.build_project
    monkeypatch.setattr(engine, "build_project", lambda modules, *a, **k: summarised.extend(modules) or
                        real(modules, *a, **k))

    def review(cache: bool = True):
        summarised.clear()
        config = Config(jobs=1, cache_dir=str(tmp_path / "cache")) if cache else Config(jobs=1, cache=False)
        report = api.review(["app"], config, cwd=tmp_path)
        found = [(f.path, f.line, f.rule, [(s.path, s.line) for s in f.trace]) for f in report.findings]
        return found, sorted(summarised)

    return app, review


def test_a_helper_whose_lines_moved_moves_the_steps_its_importer_copied(project):
    app, review = project
    found, summarised = review()
    assert summarised == ["app.helper", "app.middle"]
    assert ("app/helper.py", 4) in found[-1][3] and found[-1][:3] == ("app/views.py", 7, "SR104")
    for shift in (3, 5):  # twice: the record of a moved summary can be moved again
        (app / "helper.py").write_text("# moved\n" * shift + HELPER)
        found, summarised = review()
        assert summarised == ["app.helper"]  # app.middle's summary moved, not recomputed
        assert found == review(cache=False)[0]
        assert ("app/helper.py", 4 + shift) in found[-1][3]
        assert review()[1] == []  # and stored: nothing is recomputed next time


def test_an_edited_step_line_or_a_changed_meaning_recomputes(project):
    app, review = project
    review()
    (app / "helper.py").write_text("# moved\n" + HELPER.replace("shell=True)", "shell=True, check=False)"))
    found, summarised = review()
    assert summarised == ["app.helper", "app.middle"]  # the line middle copied changed: not a move
    assert found == review(cache=False)[0]
    (app / "helper.py").write_text("# moved\n" + HELPER.replace("return subprocess", "subprocess"))
    found, summarised = review()
    assert summarised == ["app.helper", "app.middle"]  # run returns nothing now: its answer changed
    assert found == review(cache=False)[0]
