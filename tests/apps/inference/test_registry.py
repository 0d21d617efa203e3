import pytest

from apps.inference import registry
from apps.inference.ctranslate2_generator import CTranslate2Generator
from apps.inference.exceptions import BackendUnavailable
from apps.inference.fallback import FallbackGenerator
from apps.inference.openai_generator import OpenAIGenerator
from tests.stubs.openai_server import StubOpenAIServer

pytestmark = pytest.mark.usefixtures("fresh_registry")


def test_local_model_alone_by_default(settings, tiny_model_dir):
    settings.LLM_MODEL_DIR = tiny_model_dir

    generator = registry.text_generator()

    assert isinstance(generator, CTranslate2Generator)
    assert registry.text_generator() is generator  # built once per process


def test_fallback_is_chained_behind_the_primary(settings, tiny_model_dir):
    settings.LLM_MODEL_DIR = tiny_model_dir
    settings.LLM_FALLBACK = "openai"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"

    generator = registry.text_generator()

    assert isinstance(generator, FallbackGenerator)
    assert [type(member) for member in generator.generators] == [CTranslate2Generator, OpenAIGenerator]


def test_missing_local_model_leaves_the_fallback_in_charge(settings, tmp_path):
    settings.LLM_MODEL_DIR = tmp_path / "not-installed"
    settings.LLM_FALLBACK = "openai"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"

    assert isinstance(registry.text_generator(), OpenAIGenerator)


def test_missing_local_model_without_fallback_says_how_to_install(settings, tmp_path):
    settings.LLM_MODEL_DIR = tmp_path / "not-installed"

    with pytest.raises(BackendUnavailable, match="llm_install --default"):
        registry.text_generator()


def test_openai_backend_needs_an_endpoint_or_a_key(settings):
    settings.LLM_BACKEND = "openai"
    settings.OPENAI_BASE_URL = ""
    settings.OPENAI_API_KEY = ""

    with pytest.raises(BackendUnavailable, match="OPENAI_BASE_URL or OPENAI_API_KEY"):
        registry.text_generator()


async def test_openai_primary_answers_through_the_configured_server(settings):
    from apps.inference.types import ChatMessage, GenerationParams

    with StubOpenAIServer() as server:
        settings.LLM_BACKEND = "openai"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_MODEL = "served-model"

        reply = await registry.text_generator().generate([ChatMessage("user", "hi")], GenerationParams())

    assert reply.backend == "openai:served-model"
    assert server.requests[0]["model"] == "served-model"
