import io

import pytest
from django.core.management import CommandError, call_command

from tests.stubs.openai_server import StubOpenAIServer

pytestmark = pytest.mark.usefixtures("fresh_registry")


def test_prints_the_answer_and_the_backend_that_gave_it(settings):
    with StubOpenAIServer() as server:
        server.reply = "Paris."
        settings.LLM_BACKEND = "openai"
        settings.OPENAI_BASE_URL = server.base_url
        out, err = io.StringIO(), io.StringIO()

        call_command("llm_ask", "What is the capital of France?", stdout=out, stderr=err)

    assert out.getvalue().strip() == "Paris."
    assert "openai:gpt-4o-mini" in err.getvalue()


def test_local_model_answers(settings, tiny_model_dir):
    settings.LLM_MODEL_DIR = tiny_model_dir
    err = io.StringIO()

    call_command("llm_ask", "Hello", "--max-tokens", "5", stdout=io.StringIO(), stderr=err)

    assert "ctranslate2:tiny" in err.getvalue()


def test_no_backend_is_a_clear_command_error(settings, tmp_path):
    settings.LLM_MODEL_DIR = tmp_path / "missing"

    with pytest.raises(CommandError, match="llm_install --default"):
        call_command("llm_ask", "Hello")
