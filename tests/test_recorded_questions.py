"""Recorded questions (`taint/questions.py`): a stored summary or result is reused exactly while what it
read of other modules is the same, and the check reads the long (static) row only when a module it may
depend on changed."""

from __future__ import annotations

import json

from secreview.taint import questions
from secreview.taint.project import summary_digest
from secreview.taint.summaries import FunctionSummary, ModuleSummary, ProjectSummaries, StoredSummary


def function(name: str, returns: bool = False) -> FunctionSummary:
    found = FunctionSummary(name, f"{name}.py", 3, ("x",))
    if returns:
        found.returns = {("user_input", frozenset()): ()}
    return found


def project_of(modules: dict[str, ModuleSummary]) -> ProjectSummaries:
    project = ProjectSummaries()
    for name, summary in modules.items():
        project.set_module(name, summary)
    project.versions = {name: summary_digest(summary) for name, summary in modules.items()}
    return project


def modules(helper_returns: bool = False, base_returns: bool = False, other: str = "a") -> dict[str, ModuleSummary]:
    return {
        "pkg.helpers": ModuleSummary("pkg.helpers", "pkg/helpers.py",
                                     functions={"build": function("build", helper_returns)}),
        "pkg.base": ModuleSummary("pkg.base", "pkg/base.py",
                                  functions={"Base.run": function("Base.run", base_returns)}),
        "pkg.views": ModuleSummary("pkg.views", "pkg/views.py", class_bases={"View": ("pkg.base.Base",)}),
        "pkg.other": ModuleSummary("pkg.other", "pkg/other.py", functions={other: function(other)}),
    }


ASKED = {("function", "pkg.helpers.build"), ("method", "pkg.views", "View", "run"), ("has", "pkg.other")}


class Rows:
    """The static row as a store would give it back, counting reads."""

    def __init__(self, static: dict[str, str]) -> None:
        self.text, self.reads = json.dumps(static), 0

    def __call__(self) -> object:
        self.reads += 1
        return json.loads(self.text)


def recorded_on(project: ProjectSummaries) -> tuple[dict, Rows]:
    kept = questions.record(project, ASKED)
    return json.loads(json.dumps(kept.head)), Rows(kept.static)


def test_the_head_holds_versions_and_the_lookups_through_bases():
    project = project_of(modules())
    head, rows = recorded_on(project)
    assert set(head["v"]) == {"pkg", "pkg.helpers", "pkg.views", "pkg.base", "pkg.other"}
    assert head["v"]["pkg"] == questions.ABSENT and head["v"]["pkg.helpers"] == project.versions["pkg.helpers"]
    assert head["d"] == {} and list(head["b"]) == ["pkg.views\x1fView"]  # lookups grouped by their class
    assert list(head["b"]["pkg.views\x1fView"]) == ["method\x1fpkg.views\x1fView\x1frun"]
    assert sorted(json.loads(rows.text)) == ["function\x1fpkg.helpers.build", "has\x1fpkg.other"]
    assert head["n"] == 2 and "w" not in head


def test_unchanged_versions_never_read_the_static_row():
    head, rows = recorded_on(project_of(modules()))
    assert questions.still(project_of(modules()), head, rows) is True
    assert rows.reads == 0


def test_a_change_in_an_unread_part_of_a_module_is_still_the_same_answer():
    head, rows = recorded_on(project_of(modules()))
    # pkg.other gained a function: its version changed, but `has pkg.other` is answered the same
    assert questions.still(project_of(modules(other="b")), head, rows) is True
    assert rows.reads == 1


def test_a_verified_record_takes_todays_versions_and_is_not_replayed_again():
    head, rows = recorded_on(project_of(modules()))
    assert questions.check(project_of(modules()), head, rows) == questions.SAME
    today = project_of(modules(other="b"))
    assert questions.check(today, head, rows) == questions.VERIFIED and rows.reads == 1
    newer = questions.refreshed(today, head)
    assert newer["v"]["pkg.other"] == today.versions["pkg.other"]
    assert {k: v for k, v in newer.items() if k != "v"} == {k: v for k, v in head.items() if k != "v"}
    assert questions.check(today, newer, rows) == questions.SAME and rows.reads == 1  # versions match: no replay


def test_a_changed_helper_invalidates():
    head, rows = recorded_on(project_of(modules()))
    assert questions.still(project_of(modules(helper_returns=True)), head, rows) is False


def test_a_changed_base_class_invalidates_a_method_found_through_it():
    head, rows = recorded_on(project_of(modules()))
    assert questions.still(project_of(modules(base_returns=True)), head, rows) is False
    assert rows.reads == 0  # the dynamic part answered first


def test_a_new_base_module_is_a_lookup_the_record_never_made():
    head, rows = recorded_on(project_of(modules()))
    changed = modules()
    changed["pkg.views"] = ModuleSummary("pkg.views", "pkg/views.py", class_bases={"View": ("pkg.mixins.Mixin",)})
    changed["pkg.mixins"] = ModuleSummary("pkg.mixins", "pkg/mixins.py",
                                          functions={"Mixin.run": function("Mixin.run", True)})
    assert questions.still(project_of(changed), head, rows) is False


def test_a_missing_or_older_record_is_not_trusted():
    project = project_of(modules())
    assert questions.still(project, None, lambda: {}) is False
    assert questions.still(project, {"function\x1fpkg.helpers.build": "x"}, lambda: {}) is False  # flat, earlier format
    assert questions.still(project, {"v": {}, "d": {}, "b": {}}, lambda: {}) is False  # an earlier format
    head, _ = recorded_on(project)
    head["v"]["pkg.helpers"] = "stale"
    assert questions.still(project, head, lambda: None) is False  # the static row is gone


def test_a_call_through_a_local_name_is_one_question_until_a_module_takes_that_name():
    project = project_of(modules())
    project.recorder = set()
    assert project.function("self.storage.save") is None and project.function("self.save") is None
    assert project.recorder == {("top", "self")}
    project.recorder, asked = None, project.recorder
    kept = questions.record(project, asked)
    assert kept.head["words"] == {"top": {"0": ["self"]}} and kept.head["d"] == {} and kept.static == {}
    assert questions.still(project_of(modules()), kept.head, lambda: kept.static) is True
    grown = modules()
    grown["self"] = ModuleSummary("self", "self.py", functions={"save": function("save", True)})
    assert questions.still(project_of(grown), kept.head, lambda: kept.static) is False


def test_a_summary_the_cache_cannot_give_back_fails_the_check_instead_of_the_review():
    head, rows = recorded_on(project_of(modules()))
    today = project_of(modules())
    today.versions["pkg.helpers"] = "changed"  # a replay must look into it
    lost = StoredSummary("pkg/helpers.py", ("build",), (), False, {}, lambda: None)
    today.set_stored("pkg.helpers", lost)
    assert questions.still(today, head, rows) is False


def test_name_table_questions_are_checked_as_sets_of_words():
    project = project_of(modules())
    asked = {("name", "sources", "build"), ("name", "sources", "fetch"), ("name", "active", "build")}
    kept = questions.record(project, asked)
    assert kept.head["words"] == {"name\x1fsources": {"0": ["build", "fetch"]}, "name\x1factive": {"0": ["build"]}}
    assert questions.check(project_of(modules()), kept.head, lambda: kept.static) == questions.SAME
    # `build` starts returning a source somewhere in the project: the skipped unit must be walked now
    assert questions.check(project_of(modules(helper_returns=True)), kept.head, lambda: kept.static) == questions.STALE
