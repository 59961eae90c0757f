"""The `secret` source kind and its sinks, on the multi-module `secrets_agent` fixture (oslo.config options
declared secret=True in one module, rendered in a second, written/logged/raised in a third; Django settings;
request values written into dnsmasq's host file through a helper): exact rule ids, lines and trace steps.
Then what makes an option secret: its declaration, seen across modules, and kept by cached summaries."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES
from secreview import api
from secreview.config import Config
from secreview.taint.summaries import ModuleSummary

CASE = FIXTURES / "taint" / "secrets_agent"


def _review(root: Path) -> api.Report:
    return api.review(["."], Config(jobs=1, cache=False, test_code="keep", project=False), cwd=root)


def _by_place(report: api.Report) -> dict[tuple[str, int], object]:
    return {(f.path, f.line): f for f in report.findings}


def test_secret_option_flows_to_log_file_and_exception_with_cross_module_traces():
    found = _by_place(_review(CASE))
    rendered = [("agent/render.py", 14, "source: `CONF.agent.connection`, an oslo.config option declared "
                                         "`secret=True`"),
                ("agent/render.py", 14, "returned from `proxy_config()`"),
                ("agent/manager.py", 24, "returned by `proxy_config()`"),
                ("agent/manager.py", 24, "assigned to `text`")]
    for line, name, cwe, sink in [
        (26, "secret-in-log", 532, "sink (log_value): `oslo_log.log.KeywordArgumentAdapter.debug()`"),
        (33, "secret-in-readable-file", 732, "sink (file_write): `io.TextIOWrapper.write()`"),
        (36, "secret-in-exception", 209, "sink (exception_message): `builtins.ValueError()`"),
    ]:
        finding = found[("agent/manager.py", line)]
        assert (finding.name, finding.cwe) == (name, cwe)
        steps = [(s.path, s.line, s.note) for s in finding.trace]
        assert steps == [*rendered, ("agent/manager.py", line, sink)]
    assert "0o666 minus the umask (usually 0o644)" in found[("agent/manager.py", 33)].message


def test_settings_and_privileged_files_and_config_lines():
    found = _by_place(_review(CASE))
    key = found[("portal/views.py", 19)]
    assert key.name == "secret-in-log"
    assert [s.note for s in key.trace][0] == "source: `settings.SECRET_KEY` (named as a secret)"
    chmod = found[("agent/manager.py", 54)]
    assert chmod.name == "permissive-file-permissions" and chmod.confidence.value == "medium"
    assert "0o520 (r-x for the owner, -w- for the group, --- for others)" in chmod.message
    assert found[("agent/manager.py", 59)].name == "unix-socket-without-mode"
    config = found[("portal/views.py", 33)]
    assert (config.name, config.cwe) == ("config-line-injection", 93)
    assert [(s.path, s.line) for s in config.trace] == [
        ("portal/views.py", 30), ("portal/views.py", 30), ("portal/views.py", 33), ("portal/dnsmasq.py", 6),
        ("portal/dnsmasq.py", 8)]
    assert config.trace[-1].note == "sink (config_line): `io.TextIOWrapper.write()`"


def test_an_option_is_secret_by_its_declaration(tmp_path):
    root = tmp_path / "case"
    shutil.copytree(CASE, root)
    opts = root / "agent" / "opts.py"
    opts.write_text(opts.read_text().replace('"transport_url", secret=True', '"transport_url"'))
    found = {(f.path, f.line, f.name) for f in _review(root).findings}
    assert ("agent/manager.py", 46, "secret-in-log") not in found  # no longer declared secret
    assert ("agent/manager.py", 26, "secret-in-log") in found  # `connection` still is


def test_secret_options_survive_the_summary_cache():
    summary = ModuleSummary(module="agent.opts", path="agent/opts.py", secret_options=("connection",))
    again = ModuleSummary.from_dict(summary.to_dict())
    assert again.secret_options == ("connection",) and again.shape() == summary.shape()
