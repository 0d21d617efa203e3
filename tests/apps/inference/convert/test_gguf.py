import filecmp
import json
import re
from pathlib import Path

import ctranslate2
import gguf
import numpy as np
import pytest
from ctranslate2.specs import TransformerDecoderModelSpec, common_spec
from tokenizers import Tokenizer

from apps.inference.convert import convert_gguf
from apps.inference.convert.gguf import unpermute_rotary
from apps.inference.exceptions import UnsupportedModel
from apps.inference.manifest import ModelManifest
from tests.apps.inference.convert.tiny_gguf import (
    CHATML,
    CONTEXT_LENGTH,
    HEADS,
    KV_HEADS,
    LAYERS,
    RMS_EPS,
    ROPE_BASE,
    SPECIAL_TOKENS,
    USER_DEFINED_TOKEN,
    TinyWeights,
    gguf_layout,
    llama_cpp_permute,
    random_weights,
    reference_logits,
    tiny_vocabulary,
    write_tiny_gguf,
)

TOKEN_IDS = [1, 70, 105, 260, 33, 2, 150, 262, 7, 99, 200, 45]


def convert(source: Path, destination: Path, **options) -> ModelManifest:
    return convert_gguf(source, destination, name="tiny", source_label="tests", licence="MIT", **options)


def ct2_logits(model_dir: Path, token_ids: list[int]) -> np.ndarray:
    generator = ctranslate2.Generator(str(model_dir), device="cpu", intra_threads=1)
    return np.asarray(generator.forward_batch([token_ids]))[0]


def assert_logits_close(actual: np.ndarray, expected: np.ndarray) -> None:
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-3 * np.abs(expected).max())


@pytest.fixture(scope="module")
def llama_weights() -> TinyWeights:
    return random_weights(seed=1)


@pytest.fixture(scope="module")
def llama_model(tmp_path_factory, llama_weights) -> Path:
    directory = tmp_path_factory.mktemp("llama")
    source = write_tiny_gguf(directory / "tiny.gguf", llama_weights)
    convert(source, directory / "model", quantization="float32")
    return directory / "model"


def test_llama_logits_match_the_reference_once_qk_rows_are_unpermuted(llama_model, llama_weights):
    logits = ct2_logits(llama_model, TOKEN_IDS)

    assert_logits_close(logits, reference_logits(llama_weights, TOKEN_IDS))
    # The same weights without undoing llama.cpp's permutation give clearly different logits.
    unpermuted = reference_logits(gguf_layout(llama_weights), TOKEN_IDS)
    assert np.abs(logits - unpermuted).max() > 0.05 * np.abs(unpermuted).max()


def test_qwen2_with_qkv_biases_and_its_own_output_matrix_matches_the_reference(tmp_path):
    weights = random_weights(seed=2, biases=True)
    source = write_tiny_gguf(tmp_path / "qwen.gguf", weights, architecture="qwen2", pre="qwen2")

    manifest = convert(source, tmp_path / "model", quantization="float32")

    assert manifest.architecture == "qwen2"
    assert_logits_close(ct2_logits(tmp_path / "model", TOKEN_IDS), reference_logits(weights, TOKEN_IDS))


def test_tied_embeddings_without_output_tensor_match_the_reference(tmp_path):
    weights = random_weights(seed=3, tied=True)
    source = write_tiny_gguf(tmp_path / "tied.gguf", weights)

    convert(source, tmp_path / "model", quantization="float32")

    assert_logits_close(ct2_logits(tmp_path / "model", TOKEN_IDS), reference_logits(weights, TOKEN_IDS))


def _ctranslate2_reference_model(weights: TinyWeights, directory: Path, quantization: str) -> Path:
    """The same model through CTranslate2's documented route: fill the whole spec, then `optimize` it once."""
    spec = TransformerDecoderModelSpec.from_config(
        LAYERS,
        HEADS,
        pre_norm=True,
        activation=common_spec.Activation.SWISH,
        ffn_glu=True,
        rms_norm=True,
        rotary_dim=0,
        rotary_interleave=False,
        rotary_base=ROPE_BASE,
        num_heads_kv=KV_HEADS,
    )
    decoder = spec.decoder
    decoder.scale_embeddings = False
    decoder.embeddings.weight = weights.embed.copy()
    decoder.layer_norm.gamma = weights.norm.copy()
    tied = weights.lm_head is None
    decoder.projection.weight = decoder.embeddings.weight if tied else weights.lm_head.copy()
    for layer_spec, layer in zip(decoder.layer, weights.layers, strict=True):
        attention, ffn = layer_spec.self_attention, layer_spec.ffn
        attention.layer_norm.gamma = layer["attn_norm"].copy()
        attention.linear[0].weight = np.concatenate([layer["q"], layer["k"], layer["v"]])
        if "q_bias" in layer:
            attention.linear[0].bias = np.concatenate([layer["q_bias"], layer["k_bias"], layer["v_bias"]])
        attention.linear[1].weight = layer["o"].copy()
        ffn.layer_norm.gamma = layer["ffn_norm"].copy()
        ffn.linear_0.weight = layer["gate"].copy()
        ffn.linear_0_noact.weight = layer["up"].copy()
        ffn.linear_1.weight = layer["down"].copy()
    spec.config.bos_token, spec.config.eos_token, spec.config.unk_token = "<|im_start|>", "<|im_end|>", ""
    spec.config.layer_norm_epsilon = RMS_EPS
    spec.register_vocabulary(tiny_vocabulary()[0])
    spec.validate()
    spec.optimize(quantization)
    directory.mkdir()
    spec.save(str(directory))
    return directory / "model.bin"


@pytest.mark.parametrize(
    ("quantization", "architecture", "biases", "tied"),
    [("int8", "llama", False, True), ("float16", "qwen2", True, False), ("int8_float32", "llama", False, False)],
)
def test_tensor_by_tensor_conversion_writes_the_same_bytes_as_whole_model_optimize(
    tmp_path, quantization, architecture, biases, tied
):
    weights = random_weights(seed=4, biases=biases, tied=tied)
    source = write_tiny_gguf(tmp_path / "tiny.gguf", weights, architecture=architecture)

    convert(source, tmp_path / "model", quantization=quantization)

    expected = _ctranslate2_reference_model(weights, tmp_path / "reference", quantization)
    assert filecmp.cmp(tmp_path / "model" / "model.bin", expected, shallow=False)


@pytest.mark.parametrize("heads", [HEADS, KV_HEADS])
def test_unpermute_rotary_inverts_llama_cpp_permutation_of_weights_and_biases(heads):
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((heads * 16, 8)).astype(np.float32)
    bias = rng.standard_normal(heads * 16).astype(np.float32)

    assert np.array_equal(unpermute_rotary(llama_cpp_permute(weight, heads), heads), weight)
    assert np.array_equal(unpermute_rotary(llama_cpp_permute(bias, heads), heads), bias)


def test_tokenizer_round_trips_text_and_keeps_special_tokens_whole(llama_model):
    tokenizer = Tokenizer.from_file(str(llama_model / "tokenizer.json"))
    text = "<|im_start|>user\n the cat sat on the mat, 12 Привет!<|im_end|>\n"

    encoding = tokenizer.encode(text)

    assert tokenizer.decode(encoding.ids, skip_special_tokens=False) == text
    assert encoding.tokens[:6] == ["<|im_start|>", "u", "s", "e", "r", "Ċ"]
    assert encoding.tokens[6:12] == ["Ġthe", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat"]  # the merges apply
    assert encoding.ids[0] == SPECIAL_TOKENS.index("<|im_start|>")
    assert tokenizer.token_to_id("<|im_end|>") in encoding.ids
    assert len(tokenizer.encode(USER_DEFINED_TOKEN).ids) == 1
    assert tokenizer.decode(encoding.ids, skip_special_tokens=True) == "user\n the cat sat on the mat, 12 Привет!\n"
    assert tokenizer.encode("hi").ids == tokenizer.encode("hi", add_special_tokens=True).ids  # no BOS is added


@pytest.mark.parametrize(
    ("pre", "tokens"),
    [
        (None, ["12", "45"]),  # GPT-2: a run of digits is one piece, merged
        ("gpt2", ["12", "45"]),
        ("smollm", ["1", "2", "4", "5"]),  # every digit alone
        ("qwen2", ["1", "2", "4", "5"]),
        ("llama-bpe", ["12", "4", "5"]),  # digits in groups of three
    ],
)
def test_pre_tokenizer_follows_the_name_in_the_gguf_file(tmp_path, pre, tokens):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=5), pre=pre)

    convert(source, tmp_path / "model", quantization="float32")

    tokenizer = Tokenizer.from_file(str(tmp_path / "model" / "tokenizer.json"))
    assert tokenizer.encode("1245").tokens == tokens


def test_manifest_describes_the_model_for_the_loaders(llama_model):
    manifest = ModelManifest.read(llama_model)

    assert manifest.kind == "generator"
    assert (manifest.name, manifest.source, manifest.licence) == ("tiny", "tests", "MIT")
    assert (manifest.architecture, manifest.quantization) == ("llama", "float32")
    assert manifest.chat_template == CHATML
    assert (manifest.bos_token, manifest.eos_token) == ("<|im_start|>", "<|im_end|>")
    assert manifest.stop_tokens == ("<|im_end|>", "<|endoftext|>")
    assert manifest.context_length == CONTEXT_LENGTH
    assert manifest.languages == ("en",)  # from general.languages when the caller names none
    config = json.loads((llama_model / "config.json").read_text())
    assert (config["bos_token"], config["eos_token"], config["unk_token"]) == ("<|im_start|>", "<|im_end|>", "")


def test_languages_given_by_the_caller_win(tmp_path):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=6))

    manifest = convert(source, tmp_path / "model", languages=("ru", "en"))

    assert ModelManifest.read(tmp_path / "model").languages == manifest.languages == ("ru", "en")


def test_int8_model_loads_and_generates(tmp_path):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=7))

    manifest = convert(source, tmp_path / "model")

    assert manifest.quantization == "int8"
    generator = ctranslate2.Generator(str(tmp_path / "model"), device="cpu")
    tokenizer = Tokenizer.from_file(str(tmp_path / "model" / "tokenizer.json"))
    prompt = tokenizer.encode("<|im_start|>user\n the cat<|im_end|>\n<|im_start|>assistant\n").tokens
    result = generator.generate_batch([prompt], max_length=4, min_length=4, sampling_topk=1)[0]
    assert len(result.sequences_ids[0]) == 4
    assert all(0 <= token_id < tokenizer.get_vocab_size() for token_id in result.sequences_ids[0])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"architecture": "gpt2"}, "architecture 'gpt2'"),
        ({"rope_scaling": gguf.RopeScalingType.YARN}, "RoPE scaling (yarn)"),
        ({"rope_freqs": True}, "RoPE scaling (llama3 rope_freqs)"),
        ({"tokenizer_model": "llama"}, "SentencePiece"),
        ({"pre": "tekken"}, "pre-tokenizer 'tekken'"),
    ],
)
def test_unsupported_models_are_refused_with_the_reason(tmp_path, options, message):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=8), **options)

    with pytest.raises(UnsupportedModel, match=re.escape(message)):
        convert(source, tmp_path / "model")

    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    ("quantization", "message"), [("bfloat16", "bfloat16 needs torch"), ("int4", "Unknown quantization 'int4'")]
)
def test_unavailable_quantizations_are_refused(tmp_path, quantization, message):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=9))

    with pytest.raises(UnsupportedModel, match=message):
        convert(source, tmp_path / "model", quantization=quantization)


def test_a_file_that_is_not_gguf_is_refused(tmp_path):
    source = tmp_path / "model.gguf"
    source.write_text("<html>404 Not Found</html>")

    with pytest.raises(UnsupportedModel, match="not a readable GGUF file"):
        convert(source, tmp_path / "model")


def test_a_truncated_gguf_file_is_refused(tmp_path):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=10))
    source.write_bytes(source.read_bytes()[:5000])

    with pytest.raises(UnsupportedModel, match="not a readable GGUF file"):
        convert(source, tmp_path / "model")


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(UnsupportedModel, match="does not exist"):
        convert(tmp_path / "absent.gguf", tmp_path / "model")


def test_an_existing_non_empty_destination_is_not_overwritten(tmp_path):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=11))
    destination = tmp_path / "model"
    destination.mkdir()
    (destination / "notes.txt").write_text("mine")

    with pytest.raises(FileExistsError, match="already exists and is not empty"):
        convert(source, destination)

    assert [path.name for path in destination.iterdir()] == ["notes.txt"]


def test_an_empty_destination_directory_is_filled(tmp_path):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=12))
    (tmp_path / "model").mkdir()

    convert(source, tmp_path / "model")

    assert ModelManifest.exists_in(tmp_path / "model")


def test_an_interrupted_conversion_leaves_no_model_behind(tmp_path, monkeypatch):
    source = write_tiny_gguf(tmp_path / "tiny.gguf", random_weights(seed=13))

    def interrupted_save(self, output_dir):
        (Path(output_dir) / "model.bin").write_bytes(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(TransformerDecoderModelSpec, "save", interrupted_save)

    with pytest.raises(KeyboardInterrupt):
        convert(source, tmp_path / "model")

    assert sorted(path.name for path in tmp_path.iterdir()) == ["tiny.gguf"]
