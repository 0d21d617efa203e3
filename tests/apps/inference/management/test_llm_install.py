import importlib.util
import io
import json

import pytest
from django.core.management import CommandError, call_command

from apps.inference.install.packaged import manifest_from_huggingface


def test_list_shows_installed_models_with_source_and_licence(settings, tiny_model_dir):
    settings.MODELS_DIR = tiny_model_dir.parent
    out = io.StringIO()

    call_command("llm_install", "--list", stdout=out)

    assert "tiny" in out.getvalue()
    assert "MIT" in out.getvalue()
    assert "tests/apps/inference/tiny_model.py" in out.getvalue()


def test_a_file_that_is_not_gguf_is_refused_clearly(settings, tmp_path):
    settings.MODELS_DIR = tmp_path / "models"
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"definitely not gguf")

    with pytest.raises(CommandError, match=r"model\.gguf"):
        call_command("llm_install", str(bogus), stdout=io.StringIO())

    assert not (tmp_path / "models" / "model").exists()


@pytest.mark.skipif(importlib.util.find_spec("transformers") is not None, reason="transformers is installed here")
def test_hugging_face_conversion_says_exactly_what_is_missing(settings, tmp_path):
    settings.MODELS_DIR = tmp_path

    with pytest.raises(CommandError, match=r"requirements-hf\.txt"):
        call_command("llm_install", "Qwen/Qwen2.5-1.5B-Instruct", stdout=io.StringIO())


def test_nothing_to_do_is_a_usage_error():
    with pytest.raises(CommandError, match="--default, --list, or a SOURCE"):
        call_command("llm_install")


def test_hugging_face_manifest_takes_template_and_stop_tokens_from_the_tokenizer_config(tmp_path):
    (tmp_path / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "chat_template": "{{ messages }}",
                "eos_token": {"content": "<|im_end|>"},
                "bos_token": None,
                "model_max_length": 32768,
            }
        )
    )

    manifest = manifest_from_huggingface(
        tmp_path, name="qwen", source="Qwen/x", licence="Apache-2.0", languages=("ru",)
    )

    assert (manifest.chat_template, manifest.eos_token, manifest.context_length) == (
        "{{ messages }}",
        "<|im_end|>",
        32768,
    )
    assert manifest.stop_tokens[0] == "<|im_end|>"


def test_hub_gguf_source_must_name_a_file(settings, tmp_path):
    settings.MODELS_DIR = tmp_path

    with pytest.raises(CommandError, match=r"expected hf://owner/repository/file\.gguf"):
        call_command("llm_install", "hf://Qwen/model.gguf", stdout=io.StringIO())


def test_hub_gguf_download_failure_is_reported_not_raised(settings, tmp_path, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)  # never reach for the network in tests
    settings.MODELS_DIR = tmp_path

    with pytest.raises(CommandError, match=r"Could not download qwen\.gguf from Qwen/Qwen2\.5-GGUF"):
        call_command("llm_install", "hf://Qwen/Qwen2.5-GGUF/qwen.gguf", stdout=io.StringIO())
