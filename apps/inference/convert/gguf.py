"""GGUF → CTranslate2 without torch: numpy, the `gguf` package, `ctranslate2.specs` and `tokenizers` only.

Covers the Llama (SmolLM2, Llama 3.0, ...) and Qwen2 (Qwen2, Qwen2.5) architectures with byte-level BPE vocabularies
and plain RoPE. Each tensor is dequantized, converted to the target type and released before the next one, so peak
memory stays near the size of the *converted* model plus one float32 tensor, not the size of the float32 model.
"""

import shutil
import tempfile
from pathlib import Path

import numpy as np
from ctranslate2.specs import TransformerDecoderModelSpec, common_spec
from ctranslate2.specs.model_spec import LayerSpec

from apps.inference.convert.reader import GGUFModelInfo, GGUFSource
from apps.inference.convert.tokenizer import check_pre_tokenizer, write_tokenizer
from apps.inference.exceptions import UnsupportedModel
from apps.inference.manifest import ModelManifest

QUANTIZATIONS = ("int8", "int8_float32", "float16", "float32")
# Generation ends at the model's EOS token and at these turn/document ends when the vocabulary has them.
EXTRA_STOP_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>")


def convert_gguf(
    source: Path,
    destination: Path,
    *,
    name: str,
    source_label: str,
    licence: str,
    quantization: str = "int8",
    languages: tuple[str, ...] = (),
) -> ModelManifest:
    """Convert the GGUF file `source` into the CTranslate2 model directory `destination`.

    `destination` gets `model.bin`, `config.json`, `vocabulary.json`, `tokenizer.json` and the manifest. It is built in
    a temporary sibling directory and renamed into place at the end, so a failed or interrupted conversion never
    leaves a directory that looks installed. `languages` defaults to the file's `general.languages`.

    Raises `UnsupportedModel` for a missing or unreadable file and for anything outside the supported set (the
    message says what), and `FileExistsError` when `destination` exists and is not empty.
    """
    if quantization == "bfloat16":
        raise UnsupportedModel("Saving as bfloat16 needs torch; choose one of " + ", ".join(QUANTIZATIONS) + ".")
    if quantization not in QUANTIZATIONS:
        raise UnsupportedModel(f"Unknown quantization {quantization!r}; choose one of {', '.join(QUANTIZATIONS)}.")
    _check_destination_free(destination)
    gguf_file = GGUFSource(source)
    info = gguf_file.info
    check_pre_tokenizer(info)

    destination.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".converting", dir=destination.parent))
    try:
        workdir.chmod(0o755)  # mkdtemp creates 0700; the web, bot and worker processes read the model too
        spec = _build_spec(gguf_file, quantization)
        spec.save(str(workdir))
        del spec
        write_tokenizer(info, workdir)
        manifest = _manifest(
            info, name=name, source_label=source_label, licence=licence, quantization=quantization, languages=languages
        )
        manifest.write(workdir)
        _check_destination_free(destination)
        if destination.is_dir():
            destination.rmdir()  # empty, checked just above
        workdir.rename(destination)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return manifest


def unpermute_rotary(weight: np.ndarray, heads: int) -> np.ndarray:
    """Undo llama.cpp's reordering of Q/K rows (or biases) for `llama` GGUF files: back to Hugging Face's
    half-split rotary layout, which CTranslate2 uses with `rotary_interleave=False`."""
    rows = weight.shape[0]
    head_dim = rows // heads
    return weight.reshape(heads, head_dim // 2, 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def _build_spec(gguf_file: GGUFSource, quantization: str) -> TransformerDecoderModelSpec:
    info = gguf_file.info
    spec = TransformerDecoderModelSpec.from_config(
        info.block_count,
        info.head_count,
        pre_norm=True,
        activation=common_spec.Activation.SWISH,
        ffn_glu=True,
        rms_norm=True,
        rotary_dim=0,
        rotary_interleave=False,
        rotary_base=info.rope_freq_base,
        num_heads_kv=info.head_count_kv if info.head_count_kv != info.head_count else None,
    )
    decoder = spec.decoder
    decoder.scale_embeddings = False
    embeddings = gguf_file.tensor("token_embd.weight")
    vocabulary_size = embeddings.shape[0]
    _set(decoder.embeddings, quantization, weight=embeddings)
    del embeddings
    _set(decoder.layer_norm, quantization, gamma=gguf_file.tensor("output_norm.weight"))
    if gguf_file.has_tensor("output.weight"):
        _set(decoder.projection, quantization, weight=gguf_file.tensor("output.weight"))
    else:
        # Tied embeddings: the same variable object makes `optimize` store an alias, as the torch route does.
        decoder.projection.weight = decoder.embeddings.weight
    for index, layer in enumerate(decoder.layer):
        _set_layer(gguf_file, layer, f"blk.{index}.", quantization)

    spec.config.bos_token = info.token(info.bos_id) or info.token(info.eos_id)
    spec.config.eos_token = info.token(info.eos_id)
    spec.config.unk_token = info.token(info.unk_id)
    spec.config.layer_norm_epsilon = info.rms_epsilon
    spec.register_vocabulary(_vocabulary(info, vocabulary_size))
    try:
        spec.validate()
    except ValueError as error:
        raise UnsupportedModel(f"{gguf_file.path.name} does not fit the {info.architecture} layout: {error}") from error
    # Every variable is already in its final type; `optimize` only aliases duplicates (tied embeddings) here.
    spec.optimize(quantization=None)
    return spec


def _set_layer(gguf_file: GGUFSource, layer: LayerSpec, prefix: str, quantization: str) -> None:
    info = gguf_file.info
    attention, ffn = layer.self_attention, layer.ffn
    _set(attention.layer_norm, quantization, gamma=gguf_file.tensor(prefix + "attn_norm.weight"))
    _set(ffn.layer_norm, quantization, gamma=gguf_file.tensor(prefix + "ffn_norm.weight"))

    projections = {}
    for part, heads in (("q", info.head_count), ("k", info.head_count_kv), ("v", None)):
        for kind in ("weight", "bias"):
            tensor_name = f"{prefix}attn_{part}.{kind}"
            if kind == "bias" and not gguf_file.has_tensor(tensor_name):
                continue
            array = gguf_file.tensor(tensor_name)
            if info.architecture == "llama" and heads is not None:
                array = unpermute_rotary(array, heads)
            projections[part, kind] = array
    weight = np.concatenate([projections.pop((part, "weight")) for part in "qkv"])
    bias = None
    if projections:  # any of q/k/v has a bias; the others get zeros, as CTranslate2's own converter does
        rows = {part: info.head_dim * (info.head_count if part == "q" else info.head_count_kv) for part in "qkv"}
        parts = [projections.get((part, "bias"), np.zeros(rows[part], dtype=np.float32)) for part in "qkv"]
        bias = np.concatenate(parts)
    _set_linear(attention.linear[0], quantization, weight, bias)
    del weight, bias, projections

    for linear, tensor in (
        (attention.linear[1], "attn_output"),
        (ffn.linear_0, "ffn_gate"),
        (ffn.linear_0_noact, "ffn_up"),
        (ffn.linear_1, "ffn_down"),
    ):
        bias_name = f"{prefix}{tensor}.bias"
        bias = gguf_file.tensor(bias_name) if gguf_file.has_tensor(bias_name) else None
        _set_linear(linear, quantization, gguf_file.tensor(f"{prefix}{tensor}.weight"), bias)


def _set_linear(linear: LayerSpec, quantization: str, weight: np.ndarray, bias: np.ndarray | None) -> None:
    if bias is None:
        _set(linear, quantization, weight=weight)
    else:
        _set(linear, quantization, weight=weight, bias=bias)


def _set(layer: LayerSpec, quantization: str, **arrays: np.ndarray) -> None:
    """Fill one leaf layer and convert it to `quantization` right away, with CTranslate2's own code.

    A leaf (linear, norm, embeddings) holds no two equal variables, so optimizing it alone gives the same bytes as
    optimizing the whole model at the end, without holding every float32 tensor until then.
    """
    for attribute, array in arrays.items():
        setattr(layer, attribute, array)
    layer.validate()
    layer.optimize(quantization)


def _vocabulary(info: GGUFModelInfo, size: int) -> list[str]:
    tokens = list(info.tokens[:size])
    tokens.extend(f"<extra_id_{index}>" for index in range(size - len(tokens)))
    return tokens


def _manifest(
    info: GGUFModelInfo, *, name: str, source_label: str, licence: str, quantization: str, languages: tuple[str, ...]
) -> ModelManifest:
    eos = info.token(info.eos_id)
    vocabulary = set(info.tokens)
    candidates = (eos, info.token(info.eot_id), *(token for token in EXTRA_STOP_TOKENS if token in vocabulary))
    stop_tokens = tuple(dict.fromkeys(token for token in candidates if token))
    return ModelManifest(
        name=name,
        kind="generator",
        source=source_label,
        licence=licence,
        architecture=info.architecture,
        quantization=quantization,
        chat_template=info.chat_template,
        bos_token=info.token(info.bos_id),
        eos_token=eos,
        stop_tokens=stop_tokens,
        context_length=info.context_length,
        languages=languages or info.languages,
        extra={"gguf_name": info.name, "pre_tokenizer": info.pre_tokenizer},
    )


def _check_destination_free(destination: Path) -> None:
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise FileExistsError(
            f"{destination} already exists and is not empty; remove it or choose another name to convert again."
        )
