"""LLM settings: layers, validation, and keys that never come from files or show up in output."""

from __future__ import annotations

import pytest

from secreview.config import ConfigError, from_pyproject
from secreview.llm.settings import LLMSettings, file_table, load_llm_settings

URL = "http://127.0.0.1:11434/v1"


def test_minimal_settings_and_defaults():
    settings = load_llm_settings({}, {"SECREVIEW_LLM_BASE_URL": URL, "SECREVIEW_LLM_MODEL": "qwen2.5-coder"}, None)
    assert settings == LLMSettings(base_url=URL, models=("qwen2.5-coder",))
    assert settings.endpoint == "http://127.0.0.1:11434/v1/chat/completions"
    assert (settings.connect_timeout, settings.read_timeout, settings.max_retries, settings.concurrency) == (
        10.0, 120.0, 3, 4)


def test_precedence_cli_over_env_over_file_over_openai_variables():
    env = {"OPENAI_BASE_URL": "https://api.openai.com/v1", "OPENAI_API_KEY": "sk-openai",
           "SECREVIEW_LLM_READ_TIMEOUT": "30", "SECREVIEW_LLM_SAMPLES": "3"}
    table = {"base-url": "http://10.0.0.5:8000/v1", "model": "file-model", "read-timeout": 60, "samples": 2,
             "max-tokens": 1000}
    settings = load_llm_settings({"samples": 5, "models": None}, env, table)
    assert settings.base_url == "http://10.0.0.5:8000/v1"  # file beats OPENAI_BASE_URL
    assert settings.models == ("file-model",)  # a None CLI value is "not given"
    assert settings.api_key == "sk-openai"
    assert (settings.read_timeout, settings.samples, settings.max_tokens) == (30.0, 5, 1000)

    env["SECREVIEW_LLM_BASE_URL"] = "http://127.0.0.1:9000/v1/"
    env["SECREVIEW_LLM_API_KEY"] = "sk-secreview"
    settings = load_llm_settings({"model": ["a", "b"]}, env, table)
    assert settings.base_url == "http://127.0.0.1:9000/v1"
    assert settings.api_key == "sk-secreview"
    assert settings.models == ("a", "b")


def test_max_failures_defaults_to_three_and_follows_the_usual_precedence(tmp_path):
    from secreview.cli import build_parser
    from secreview.llm.options import settings_from_args

    table = {"base-url": URL, "model": "m", "max-failures": 5}
    assert load_llm_settings({}, {"SECREVIEW_LLM_BASE_URL": URL, "SECREVIEW_LLM_MODEL": "m"}, None).max_failures == 3
    assert load_llm_settings({}, {}, table).max_failures == 5
    assert load_llm_settings({}, {"SECREVIEW_LLM_MAX_FAILURES": "4"}, table).max_failures == 4
    assert load_llm_settings({"max_failures": 2}, {"SECREVIEW_LLM_MAX_FAILURES": "4"}, table).max_failures == 2
    args = build_parser().parse_args(["scan", "x.py", "--llm", "--llm-url", URL, "--model", "m",
                                      "--llm-max-failures", "1"])
    assert settings_from_args(args, {"SECREVIEW_LLM_MAX_FAILURES": "4"}, cwd=tmp_path).max_failures == 1
    with pytest.raises(ConfigError, match="invalid value 0 for LLM setting max_failures: must be at least 1"):
        load_llm_settings({"max_failures": 0}, {}, table)


def test_openai_variables_alone_are_enough_with_a_model():
    env = {"OPENAI_BASE_URL": "https://api.openai.com/v1/", "OPENAI_API_KEY": "sk-x"}
    settings = load_llm_settings({"model": "gpt-4o-mini"}, env, None)
    assert (settings.base_url, settings.models, settings.api_key) == (
        "https://api.openai.com/v1", ("gpt-4o-mini",), "sk-x")


def test_models_from_comma_list_are_trimmed_and_deduplicated():
    settings = load_llm_settings({}, {"SECREVIEW_LLM_BASE_URL": URL, "SECREVIEW_LLM_MODELS": " a, b ,a,, c"}, None)
    assert settings.models == ("a", "b", "c")


def test_full_endpoint_is_reduced_to_its_base():
    settings = load_llm_settings({"base_url": f"{URL}/chat/completions", "model": "m"}, {}, None)
    assert settings.base_url == URL


@pytest.mark.parametrize("key", ["api-key", "api_key", "token"])
def test_key_in_the_file_table_is_refused(key):
    with pytest.raises(ConfigError) as caught:
        load_llm_settings({}, {}, {"base-url": URL, "model": "m", key: "sk-live-in-git"})
    message = str(caught.value)
    assert "SECREVIEW_LLM_API_KEY" in message and "OPENAI_API_KEY" in message
    assert "sk-live-in-git" not in message


@pytest.mark.parametrize(
    ("cli", "table", "expected"),
    [
        ({"model": "m"}, None, "no LLM endpoint"),
        ({"base_url": URL}, None, "no LLM model"),
        ({"base_url": URL, "model": " , "}, None, "no LLM model"),
        ({"base_url": "ftp://example.org/v1", "model": "m"}, None, "invalid LLM base URL 'ftp://example.org/v1'"),
        ({"base_url": "http://user:pw@host/v1", "model": "m"}, None, "must not contain credentials"),
        ({"base_url": URL, "model": "m", "read_timeout": "0"}, None, "invalid value '0' for LLM setting read_timeout"),
        ({"base_url": URL, "model": "m", "concurrency": 0}, None, "invalid value 0 for LLM setting concurrency"),
        ({"base_url": URL, "model": "m", "max_retries": "-1"}, None, "max_retries: must not be negative"),
        ({"base_url": URL, "model": "m", "samples": "many"}, None, "invalid value 'many' for LLM setting samples"),
        ({"base_url": URL, "model": "m", "redact": "perhaps"}, None, "expected true or false"),
        ({"base_url": URL, "model": "m", "samples": 2, "consensus": 3}, None,
         "consensus 3 cannot be reached: only 2 answer(s) (2 sample(s) x 1 model(s))"),
        ({"base_url": URL, "model": "m"}, {"temprature": 0.5}, "unknown setting 'temprature' in [tool.secreview.llm]"),
        ({"base_url": URL, "model": "m", "colour": 1}, None, "unknown LLM setting 'colour'"),
    ],
)
def test_invalid_settings_are_clear_errors(cli, table, expected):
    with pytest.raises(ConfigError) as caught:
        load_llm_settings(cli, {}, table)
    assert expected in str(caught.value)


def test_env_values_are_converted():
    env = {"SECREVIEW_LLM_BASE_URL": URL, "SECREVIEW_LLM_MODEL": "m", "SECREVIEW_LLM_REDACT": "false",
           "SECREVIEW_LLM_CACHE": "0", "SECREVIEW_LLM_PRICE_INPUT": "0.15", "SECREVIEW_LLM_BACKOFF": "0.5",
           "SECREVIEW_LLM_CACHE_DIR": "/tmp/x", "SECREVIEW_LLM_PROMPT": "pillars", "SECREVIEW_LLM_SEED": "ignored"}
    settings = load_llm_settings({}, env, None)
    assert (settings.redact, settings.cache, settings.price_input, settings.price_output) == (False, False, 0.15, None)
    assert (settings.backoff, settings.cache_dir, settings.prompt) == (0.5, "/tmp/x", "pillars")


def test_key_is_hidden_from_repr():
    settings = load_llm_settings({"base_url": URL, "model": "m"}, {"SECREVIEW_LLM_API_KEY": "sk-hidden-123456"}, None)
    assert settings.api_key == "sk-hidden-123456"
    assert "sk-hidden" not in repr(settings) and "sk-hidden" not in str(settings)


def test_file_table_is_read_from_the_governing_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.secreview]\nseverity = "medium"\n\n'
        '[tool.secreview.llm]\nbase-url = "http://127.0.0.1:8000/v1"\nmodel = ["a", "b"]\nconsensus = 2\n',
        encoding="utf-8",
    )
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    table = file_table(nested)
    assert table == {"base-url": "http://127.0.0.1:8000/v1", "model": ["a", "b"], "consensus": 2}
    settings = load_llm_settings({}, {}, table)
    assert (settings.models, settings.consensus) == (("a", "b"), 2)
    assert from_pyproject(tmp_path / "pyproject.toml") == {"severity": "medium"}  # the core config ignores it


def test_file_table_that_is_not_a_table_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\nllm = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[tool.secreview.llm\] must be a table"):
        file_table(tmp_path)


def test_no_pyproject_means_an_empty_table(tmp_path, monkeypatch):
    import secreview.llm.settings as module

    monkeypatch.setattr(module, "find_pyproject", lambda start: None)
    assert file_table(tmp_path) == {}
