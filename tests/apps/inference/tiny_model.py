"""A tiny random CTranslate2 decoder with a real tokenizer and manifest, built from numpy in ~100 ms.

It talks nonsense, which is the point: tests exercise the real loading, batching and streaming code
without depending on any model's wit.
"""

from pathlib import Path

import numpy as np
from ctranslate2.specs import TransformerDecoderModelSpec, common_spec
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from tokenizers.pre_tokenizers import ByteLevel

from apps.inference.manifest import ModelManifest

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHATML = (
    "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
HIDDEN, HEADS, KV_HEADS, FFN, LAYERS = 32, 4, 2, 64, 2


def build_tiny_model(directory: Path, *, seed: int = 7, context_length: int = 4096) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tokens = SPECIAL_TOKENS + sorted(ByteLevel.alphabet())
    vocabulary = {token: index for index, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.BPE(vocab=vocabulary, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(SPECIAL_TOKENS)
    tokenizer.save(str(directory / "tokenizer.json"))

    rng = np.random.default_rng(seed)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.5).astype(np.float32)

    head_dim = HIDDEN // HEADS
    spec = TransformerDecoderModelSpec.from_config(
        LAYERS,
        HEADS,
        pre_norm=True,
        activation=common_spec.Activation.SWISH,
        ffn_glu=True,
        rms_norm=True,
        rotary_dim=0,
        rotary_interleave=False,
        num_heads_kv=KV_HEADS,
    )
    decoder = spec.decoder
    decoder.scale_embeddings = False
    decoder.embeddings.weight = weights(len(tokens), HIDDEN)
    decoder.layer_norm.gamma = np.ones(HIDDEN, dtype=np.float32)
    decoder.projection.weight = weights(len(tokens), HIDDEN)
    for layer in decoder.layer:
        layer.self_attention.layer_norm.gamma = np.ones(HIDDEN, dtype=np.float32)
        layer.self_attention.linear[0].weight = weights(HIDDEN + 2 * KV_HEADS * head_dim, HIDDEN)
        layer.self_attention.linear[1].weight = weights(HIDDEN, HIDDEN)
        layer.ffn.layer_norm.gamma = np.ones(HIDDEN, dtype=np.float32)
        layer.ffn.linear_0.weight = weights(FFN, HIDDEN)
        layer.ffn.linear_0_noact.weight = weights(FFN, HIDDEN)
        layer.ffn.linear_1.weight = weights(HIDDEN, FFN)
    spec.config.bos_token = "<|im_start|>"
    spec.config.eos_token = "<|im_end|>"
    spec.config.unk_token = "<|endoftext|>"
    spec.config.layer_norm_epsilon = 1e-5
    spec.register_vocabulary(tokens)
    spec.validate()
    spec.save(str(directory))
    ModelManifest(
        name=directory.name,
        kind="generator",
        source="tests/apps/inference/tiny_model.py",
        licence="MIT",
        architecture="llama",
        quantization="float32",
        chat_template=CHATML,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        stop_tokens=("<|im_end|>", "<|endoftext|>"),
        context_length=context_length,
        languages=("en",),
    ).write(directory)
    return directory
