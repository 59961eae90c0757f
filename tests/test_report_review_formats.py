"""Review-system formats (Markdown, GitHub review, Gerrit ReviewInput, GitLab Code Quality, SARIF with a
change), the JSON report loader, and the exact suggested rewrites rules give."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from secreview.engine import review_text
from secreview.model import Change, ChangedFile, Confidence, FileError, Finding, Report, Severity, Stats, TraceStep
from secreview.report import FORMATS, gerrit, github, gitlab, markdown, render
from secreview.report import json as json_format
from secreview.ruleset import load_rules, select_rules


def finding(path: str = "app/views.py", line: int = 10, end_line: int | None = None, rule: str = "SR510",
            severity: Severity = Severity.HIGH, suggestion: str = "", snippet: str | None = None,
            fingerprint: str = "", **extra) -> Finding:
    end = end_line or line
    return Finding(
        rule=rule, name="unsafe-yaml-load", title="YAML loaded with a loader that constructs Python objects",
        cwe=502, cwe_name="Deserialization of Untrusted Data", pillar=664,
        pillar_name="Improper Control of a Resource Through its Lifetime", type="other", severity=severity,
        confidence=Confidence.HIGH, path=path, line=line, end_line=end, column=9, end_column=30,
        snippet=snippet if snippet is not None else "\n".join(f"    code_{n}()" for n in range(line, end + 1)),
        message="`yaml.load` without a Loader can build Python objects from YAML tags.",
        fix="Use yaml.safe_load().", fingerprint=fingerprint or f"fp-{path}-{line}-{rule}",
        suggestion=suggestion, **extra)


def report(findings=(), change: Change | None = None, errors=()) -> Report:
    return Report(findings=tuple(findings), errors=tuple(errors), pillars=(), stats=Stats(files=2, reviewed=2),
                  change=change)


def change(*files: ChangedFile, head: str | None = "c0ffee1234") -> Change:
    return Change(description="HEAD~1..HEAD", base="base123", head=head, files=files)


def changed(path: str, diff_lines: range | tuple, status: str = "modified") -> ChangedFile:
    return ChangedFile(path=path, old_path=path, status=status, changed_lines=tuple(diff_lines),
                       diff_lines=tuple(diff_lines))


def test_every_review_format_is_registered():
    assert {"markdown", "github", "gerrit", "gitlab", "sarif"} <= set(FORMATS)
    r = report([finding()])
    for fmt in ("markdown", "github", "gerrit", "gitlab", "sarif"):
        assert render(r, fmt)


# --- GitHub -------------------------------------------------------------------------------------------


def test_github_comments_only_on_diff_lines_and_suggests_whole_line_rewrites():
    inside = finding(line=10, suggestion="    yaml.safe_load(x)")
    multi = finding(line=20, end_line=21, rule="SR307", suggestion="    a(\n        verify=True)")
    partly = finding(line=30, end_line=32, rule="SR207", suggestion="x\ny\nz")
    outside = finding(line=50, rule="SR101")
    other_file = finding(path="lib/other.py", line=3)
    r = report([inside, multi, partly, outside, other_file],
               change(changed("app/views.py", (*range(8, 23), 31, 32))))
    payload = github.review(r)
    assert payload["commit_id"] == "c0ffee1234"
    assert payload["event"] == "COMMENT"
    where = [(c["path"], c.get("start_line"), c["line"], c["side"]) for c in payload["comments"]]
    assert where == [("app/views.py", None, 10, "RIGHT"), ("app/views.py", 20, 21, "RIGHT"),
                     ("app/views.py", None, 31, "RIGHT")]
    first, second, third = payload["comments"]
    assert "```suggestion\n    yaml.safe_load(x)\n```" in first["body"]
    assert second["start_side"] == "RIGHT"
    assert "```suggestion\n    a(\n        verify=True)\n```" in second["body"]
    # Only part of lines 30-32 is in the diff: a suggestion would replace the wrong lines.
    assert "suggestion" not in third["body"].replace("Suggested", "")
    assert "only line 31 is in the diff" in third["body"]
    assert "2 findings lie outside the lines of this diff." in payload["body"]
    assert "`app/views.py:50`" in payload["body"] and "`lib/other.py:3`" in payload["body"]
    assert "`app/views.py:10`" not in payload["body"]


def test_github_without_a_change_puts_every_finding_in_the_body():
    r = report([finding(line=4), finding(line=9)])
    payload = github.review(r, commit_id="abc", event="REQUEST_CHANGES")
    assert payload["comments"] == []
    assert payload["commit_id"] == "abc"
    assert payload["event"] == "REQUEST_CHANGES"
    assert "not made on a diff" in payload["body"]
    assert "`app/views.py:4`" in payload["body"] and "`app/views.py:9`" in payload["body"]


def test_github_clean_review_never_requests_changes_and_has_no_commit_when_unknown():
    payload = github.review(report(), event="REQUEST_CHANGES")
    assert payload["event"] == "COMMENT"
    assert "commit_id" not in payload
    assert payload["body"].startswith("### secreview: No security defects are detected in the code.")
    with pytest.raises(ValueError, match="unknown review event"):
        github.review(report(), event="APPROVE")


def test_github_caps_comments_and_says_how_many_were_left_out():
    many = [finding(line=n, severity=Severity.LOW if n > 3 else Severity.HIGH) for n in range(1, 8)]
    payload = github.review(report(many, change(changed("app/views.py", range(1, 10)))), max_comments=3)
    assert [c["line"] for c in payload["comments"]] == [1, 2, 3]  # the most severe first
    assert "4 more findings on changed lines are not posted as comments (limit 3 comments per review)." \
        in payload["body"]
    assert "`app/views.py:7`" in payload["body"]


def test_github_paths_are_normalised_and_deleted_files_take_no_comments():
    r = report([finding(path="./app/views.py", line=2), finding(path="gone.py", line=1)],
               change(changed("app/views.py", (2,)), changed("gone.py", (1,), status="deleted")))
    payload = github.review(r)
    assert [(c["path"], c["line"]) for c in payload["comments"]] == [("app/views.py", 2)]
    assert "`gone.py:1`" in payload["body"]


# --- Gerrit -------------------------------------------------------------------------------------------


def test_gerrit_review_input_comments_ranges_tag_and_vote():
    a = finding(line=5, suggestion="    yaml.safe_load(x)")
    b = finding(line=7, end_line=8, rule="SR307")
    elsewhere = finding(path="lib/other.py", line=3)
    r = report([a, b, elsewhere], change(changed("app/views.py", (5,))))
    payload = gerrit.review_input(r, vote=True, notify="OWNER")
    assert payload["tag"] == "autogenerated:secreview"
    assert payload["labels"] == {"Code-Review": -1}
    assert payload["notify"] == "OWNER"
    assert list(payload["comments"]) == ["app/views.py"]  # Gerrit allows any line of a file in the change
    first, second = payload["comments"]["app/views.py"]
    assert first["line"] == 5 and first["unresolved"] is True
    assert first["range"] == {"start_line": 5, "start_character": 8, "end_line": 5, "end_character": 29}
    assert "Suggested rewrite of line 5:\n        yaml.safe_load(x)" in first["message"]
    assert first["message"].startswith("[high] SR510 unsafe-yaml-load: ")
    assert "CWE-502 Deserialization of Untrusted Data | pillar CWE-664" in first["message"]
    assert second["line"] == 8 and second["range"]["start_line"] == 7
    assert payload["message"].startswith("secreview: 3 security defects detected.\n\nReviewed change HEAD~1..HEAD "
                                         "(1 file).\n\nBy severity: 3 high; by type: 3 other.")
    assert "1 finding(s) in files outside this change:" in payload["message"]
    assert "lib/other.py:3" in payload["message"]


def test_gerrit_plain_scan_comments_every_file_and_clean_vote_is_zero():
    r = report([finding(path="a.py", line=1), finding(path="b/c.py", line=2)])
    payload = gerrit.review_input(r)
    assert sorted(payload["comments"]) == ["a.py", "b/c.py"]
    assert "labels" not in payload and "notify" not in payload
    clean = gerrit.review_input(report(), vote=True)
    assert clean["labels"] == {"Code-Review": 0}
    assert clean["comments"] == {}
    assert clean["message"] == "secreview: No security defects are detected in the code."
    with pytest.raises(ValueError, match="notify"):
        gerrit.review_input(report(), notify="EVERYONE")


def test_gerrit_incomplete_review_says_what_was_not_reviewed():
    r = report(errors=[FileError("broken.py", "syntax", "broken.py:3: invalid syntax", 3)])
    payload = gerrit.review_input(r, vote=True)
    assert payload["labels"] == {"Code-Review": 0}
    assert "Not reviewed:\n- broken.py (syntax): broken.py:3: invalid syntax" in payload["message"]
    assert "No security defects" not in payload["message"]


# --- GitLab -------------------------------------------------------------------------------------------


def test_gitlab_code_quality_issues():
    same = dict(fingerprint="f" * 32)
    r = report([finding(line=1, severity=Severity.LOW, **same), finding(line=9, severity=Severity.CRITICAL, **same)],
               errors=[FileError("bad.py", "decode", "not UTF-8")])
    issues = json.loads(gitlab.render(r))
    assert [i["severity"] for i in issues] == ["minor", "blocker", "major"]
    assert issues[0]["fingerprint"] == "f" * 32
    assert len({i["fingerprint"] for i in issues}) == 3
    assert issues[1]["location"] == {"path": "app/views.py", "lines": {"begin": 9, "end": 9}}
    assert issues[1]["check_name"] == "SR510 unsafe-yaml-load"
    assert issues[1]["categories"] == ["Security"]
    assert issues[2]["check_name"] == "secreview/not-reviewed"
    assert issues[2]["location"]["path"] == "bad.py"
    assert json.loads(gitlab.render(report())) == []


# --- Markdown -----------------------------------------------------------------------------------------


def test_markdown_comment_has_verdict_counts_excerpt_trace_fix_and_suggestion():
    step = TraceStep("app/views.py", 3, 5, "x = request.data", "remote input from request.data")
    f = finding(line=4, suggestion="    yaml.safe_load(x)", trace=(step,))
    text = markdown.render(report([f, finding(line=8, severity=Severity.LOW)], change(changed("app/views.py", (4,)))))
    assert text.startswith("### secreview: 2 security defects detected.\n\nReviewed change HEAD~1..HEAD (1 file).")
    assert "**By severity:** 1 high · 1 low" in text
    assert "**By type:** 2 other" in text
    assert "`app/views.py:4`" in text
    assert "CWE-502 Deserialization of Untrusted Data · pillar CWE-664" in text
    assert "```python\n4      code_4()\n```" in text
    assert "1. `app/views.py:3` remote input from request.data" in text
    assert "**Fix:** Use yaml.safe_load()." in text
    assert "Suggested rewrite of line 4:\n\n```python\n    yaml.safe_load(x)\n```" in text


def test_markdown_folds_long_lists_and_stays_under_the_limit():
    many = [finding(line=n, snippet="x = 1  # " + "y" * 900) for n in range(1, 301)]
    text = markdown.render(report(many))
    assert len(text) <= markdown.DEFAULT_MAX_CHARS + 1
    assert "<details><summary>295 more findings</summary>" in text
    shown = text.count("`app/views.py:")
    assert f"**{300 - shown} more findings not shown** (comment size limit)" in text
    assert text.count("<details>") == text.count("</details>")


def test_markdown_code_cannot_break_out_of_its_fence_or_mention_people():
    f = finding(line=1, snippet='s = "```"  # @admin <b>', suggestion='s = "````"')
    f = replace(f, message="see @admin <script>")
    text = markdown.render(report([f]))
    assert '````python\n1  s = "```"  # @admin <b>\n````' in text
    assert '`````python\ns = "````"\n`````' in text
    assert "see @\u200badmin &lt;script&gt;" in text


def test_markdown_clean_and_incomplete():
    assert markdown.render(report()).startswith("### secreview: No security defects are detected in the code.")
    text = markdown.render(report(errors=[FileError("x.py", "syntax", "bad")]))
    assert "The review is incomplete" in text and "- `x.py` (syntax): bad" in text


# --- SARIF with a change, JSON round trip -------------------------------------------------------------


def test_sarif_renders_a_report_with_a_change():
    r = report([finding(line=3)], change(changed("app/views.py", (3,))))
    sarif = json.loads(render(r, "sarif"))
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "SR510"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


@pytest.mark.parametrize("with_change", [False, True])
def test_json_report_loads_back_into_the_same_report(with_change):
    step = TraceStep("app/views.py", 3, 5, "x = request.data", "remote input")
    r = report([finding(line=4, suggestion="    y()", trace=(step,)), finding(line=9, severity=Severity.LOW)],
               change(changed("app/views.py", (4, 5))) if with_change else None,
               errors=[FileError("bad.py", "syntax", "bad", 2)])
    data = json.loads(json_format.render(r))
    assert ("change" in data) is with_change
    loaded = json_format.from_dict(data)
    assert loaded == r


def test_json_loader_rejects_what_it_cannot_read():
    with pytest.raises(json_format.ReportFormatError, match="not JSON"):
        json_format.load("{")
    with pytest.raises(json_format.ReportFormatError, match="no 'findings'"):
        json_format.load("[]")
    with pytest.raises(json_format.ReportFormatError, match="schema_version '9.0' is not supported"):
        json_format.load('{"schema_version": "9.0", "findings": []}')
    with pytest.raises(json_format.ReportFormatError, match="malformed"):
        json_format.load('{"schema_version": "1.0", "findings": [{"rule": "SR1"}]}')


# --- Suggested rewrites from the rules ----------------------------------------------------------------


def suggestions(code: str, rule: str) -> list[tuple[int, int, str]]:
    rules = select_rules(load_rules(), select=[rule])
    result = review_text("app.py", code, rules)
    return [(f.line, f.end_line, f.suggestion) for f in result.findings if f.rule == rule]


def test_yaml_load_suggests_the_safe_loader():
    code = ("import yaml\nimport yaml as y\nfrom yaml import load\n\n"
            "a = yaml.load(doc)\n"
            "b = y.load_all(doc, Loader=y.CLoader)\n"
            "c = yaml.load(doc, Loader=yaml.FullLoader)\n"
            "d = load(doc)\n"
            "e = yaml.unsafe_load(doc)\n")
    assert suggestions(code, "SR510") == [
        (5, 5, "a = yaml.safe_load(doc)"),
        (6, 6, "b = y.load_all(doc, Loader=y.CSafeLoader)"),
        (7, 7, "c = yaml.load(doc, Loader=yaml.SafeLoader)"),
        (8, 8, ""),  # a bare `load` would need a new import: no exact one-line rewrite
        (9, 9, ""),
    ]


def test_verify_false_suggests_verify_true_over_all_the_call_lines():
    code = ("import requests\n\n\ndef f(url, off):\n"
            "    requests.get(url, timeout=3, verify=False)\n"
            "    requests.post(url,\n                  timeout=3, verify=False)\n"
            "    requests.get(url, timeout=3, verify=off)\n"
            "    s = requests.Session()\n    s.verify = False\n")
    assert suggestions(code, "SR307") == [
        (5, 5, "    requests.get(url, timeout=3, verify=True)"),
        (6, 7, "    requests.post(url,\n                  timeout=3, verify=True)"),
        (10, 10, "    s.verify = True"),
    ]
    computed = "import requests\n\nOFF = False\nrequests.get(u, timeout=3, verify=OFF)\n"
    assert suggestions(computed, "SR307") == [(4, 4, "")]  # flagged, but the value lives elsewhere


def test_debug_true_suggests_debug_false():
    code = ("from flask import Flask\n\napp = Flask(__name__)\napp.debug = True\n"
            'app.run(host="127.0.0.1", debug=True)\n')
    assert suggestions(code, "SR207") == [(4, 4, "app.debug = False"), (5, 5, 'app.run(host="127.0.0.1", debug=False)')]


def test_text_report_shows_the_suggestion():
    text = render(report([finding(line=4, suggestion="    yaml.safe_load(x)")]), "text")
    assert "    suggested rewrite:\n    4 |     yaml.safe_load(x)\n" in text


def test_jinja2_autoescape_false_suggests_true():
    code = ("from flask import Flask\nfrom jinja2 import Environment\n\napp = Flask(__name__)\n"
            "env = Environment(autoescape=False)\napp.jinja_env.autoescape = False\n")
    rule = next(r.meta.code for r in load_rules() if r.meta.name == "jinja2-autoescape-disabled")
    assert suggestions(code, rule) == [(5, 5, "env = Environment(autoescape=True)"),
                                       (6, 6, "app.jinja_env.autoescape = True")]


def test_suggestion_uses_byte_columns_and_refuses_nodes_outside_the_finding_lines():
    import ast

    from secreview.analysis.context import FileContext
    from secreview.engine import suggestion
    from secreview.ruleset import Hit

    source = 'name = "é"; requests.get(u, verify=False)\nother = False\n'
    tree = ast.parse(source)
    ctx = FileContext("app.py", source, tree, frozenset())
    call = tree.body[1].value
    flag = call.keywords[0].value
    assert suggestion(Hit(call, "m", rewrite=(flag, "True")), ctx, 1, 1) == \
        'name = "é"; requests.get(u, verify=True)'
    elsewhere = tree.body[2].value
    assert suggestion(Hit(call, "m", rewrite=(elsewhere, "True")), ctx, 1, 1) == ""
    assert suggestion(Hit(call, "m"), ctx, 1, 1) == ""
