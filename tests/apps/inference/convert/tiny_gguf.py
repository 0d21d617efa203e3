"""Tiny GGUF files written the way llama.cpp writes them, and a numpy forward pass of the same weights.

The weights are random and kept in the Hugging Face layout; `write_tiny_gguf` applies llama.cpp's Q/K row
permutation for the `llama` architecture (never for `qwen2`), so a converter that forgets to undo it produces
different logits from `reference_logits`.
"""

from dataclasses import dataclass, field
from pathlib import Path

import gguf
import numpy as np
from tokenizers.pre_tokenizers import ByteLevel

HIDDEN, HEADS, KV_HEADS, FFN, LAYERS = 64, 4, 2, 128, 2
HEAD_DIM = HIDDEN // HEADS
ROPE_BASE = 500.0  # far from the 10000 default, so a converter that ignores rope.freq_base fails the comparison
RMS_EPS = 1e-5
CONTEXT_LENGTH = 2048

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
USER_DEFINED_TOKEN = "<tool_call>"
MERGES = (
    "Ġ t", "h e", "Ġt he", "a t", "Ġ c", "Ġc at", "Ġ s", "Ġs at", "Ġ o", "Ġo n", "Ġ m", "Ġm at",
    "1 2", "4 5", "i n", "Ġ P", "a r", "i s",
)  # fmt: skip
CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
BOS_ID, EOS_ID = 1, 2


def tiny_vocabulary() -> tuple[list[str], list[int], list[str]]:
    """Tokens, token types and merges: 3 control tokens, 256 byte tokens, one token per merge, one user-defined."""
    tokens = list(SPECIAL_TOKENS) + sorted(ByteLevel.alphabet())
    tokens += [merge.replace(" ", "") for merge in MERGES]
    tokens.append(USER_DEFINED_TOKEN)
    types = [3] * len(SPECIAL_TOKENS) + [1] * (len(tokens) - len(SPECIAL_TOKENS) - 1) + [4]
    return tokens, types, list(MERGES)


@dataclass
class TinyWeights:
    """Weights in the Hugging Face layout: every linear weight is (out, in)."""

    embed: np.ndarray
    norm: np.ndarray
    lm_head: np.ndarray | None  # None: tied to `embed`
    layers: list[dict[str, np.ndarray]] = field(default_factory=list)


def random_weights(*, seed: int = 0, biases: bool = False, tied: bool = False) -> TinyWeights:
    rng = np.random.default_rng(seed)
    vocabulary = len(tiny_vocabulary()[0])

    def normal(scale: float, *shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def gamma() -> np.ndarray:
        return (1.0 + normal(0.1, HIDDEN)).astype(np.float32)

    layers = []
    for _ in range(LAYERS):
        layer = {
            "attn_norm": gamma(),
            # Large Q/K weights give peaked attention, so a wrong rotary layout shows in the logits.
            "q": normal(0.4, HEADS * HEAD_DIM, HIDDEN),
            "k": normal(0.4, KV_HEADS * HEAD_DIM, HIDDEN),
            "v": normal(0.15, KV_HEADS * HEAD_DIM, HIDDEN),
            "o": normal(0.15, HIDDEN, HEADS * HEAD_DIM),
            "ffn_norm": gamma(),
            "gate": normal(0.15, FFN, HIDDEN),
            "up": normal(0.15, FFN, HIDDEN),
            "down": normal(0.1, HIDDEN, FFN),
        }
        if biases:
            layer |= {
                "q_bias": normal(0.5, HEADS * HEAD_DIM),
                "k_bias": normal(0.5, KV_HEADS * HEAD_DIM),
                "v_bias": normal(0.5, KV_HEADS * HEAD_DIM),
            }
        layers.append(layer)
    lm_head = None if tied else normal(0.2, vocabulary, HIDDEN)
    return TinyWeights(embed=normal(1.0, vocabulary, HIDDEN), norm=gamma(), lm_head=lm_head, layers=layers)


def llama_cpp_permute(weight: np.ndarray, heads: int) -> np.ndarray:
    """What llama.cpp's convert_hf_to_gguf.py does to Q/K rows of `llama` models (LlamaModel.permute)."""
    return (
        weight.reshape(heads, 2, weight.shape[0] // heads // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)
    )


def write_tiny_gguf(
    path: Path,
    weights: TinyWeights,
    *,
    architecture: str = "llama",
    pre: str | None = "smollm",
    tokenizer_model: str = "gpt2",
    rope_scaling: gguf.RopeScalingType | None = None,
    rope_freqs: bool = False,
) -> Path:
    writer = gguf.GGUFWriter(path, architecture)
    writer.add_name("tiny test model")
    writer.add_languages(["en"])
    writer.add_block_count(LAYERS)
    writer.add_context_length(CONTEXT_LENGTH)
    writer.add_embedding_length(HIDDEN)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_freq_base(ROPE_BASE)
    writer.add_layer_norm_rms_eps(RMS_EPS)
    if rope_scaling is not None:
        writer.add_rope_scaling_type(rope_scaling)
    tokens, types, merges = tiny_vocabulary()
    writer.add_tokenizer_model(tokenizer_model)
    if pre is not None:
        writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(BOS_ID)
    writer.add_eos_token_id(EOS_ID)
    writer.add_chat_template(CHATML)

    permute = architecture == "llama"
    writer.add_tensor("token_embd.weight", weights.embed)
    writer.add_tensor("output_norm.weight", weights.norm)
    if weights.lm_head is not None:
        writer.add_tensor("output.weight", weights.lm_head)
    if rope_freqs:
        writer.add_tensor("rope_freqs.weight", np.ones(HEAD_DIM // 2, dtype=np.float32))
    for index, layer in enumerate(weights.layers):
        q, k = layer["q"], layer["k"]
        tensors = {
            "attn_norm.weight": layer["attn_norm"],
            "attn_v.weight": layer["v"],
            "attn_output.weight": layer["o"],
        }
        tensors |= {"attn_q.weight": llama_cpp_permute(q, HEADS) if permute else q}
        tensors |= {"attn_k.weight": llama_cpp_permute(k, KV_HEADS) if permute else k}
        for part in "qkv":
            if f"{part}_bias" in layer:
                tensors[f"attn_{part}.bias"] = layer[f"{part}_bias"]
        tensors |= {"ffn_norm.weight": layer["ffn_norm"], "ffn_gate.weight": layer["gate"]}
        tensors |= {"ffn_up.weight": layer["up"], "ffn_down.weight": layer["down"]}
        for name, array in tensors.items():
            writer.add_tensor(f"blk.{index}.{name}", np.ascontiguousarray(array))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def gguf_layout(weights: TinyWeights) -> TinyWeights:
    """The weights as llama.cpp stores them for `llama`, read as if they were the Hugging Face layout: what a
    converter that does not undo the permutation would run."""
    layers = [layer | {"q": llama_cpp_permute(layer["q"], HEADS), "k": llama_cpp_permute(layer["k"], KV_HEADS)}
              for layer in weights.layers]  # fmt: skip
    return TinyWeights(embed=weights.embed, norm=weights.norm, lm_head=weights.lm_head, layers=layers)


def reference_logits(weights: TinyWeights, token_ids: list[int]) -> np.ndarray:
    """Hugging Face's LlamaForCausalLM / Qwen2ForCausalLM forward pass in float64: (len(token_ids), vocabulary)."""
    x = weights.embed[token_ids].astype(np.float64)
    length = len(token_ids)
    inverse_frequencies = 1.0 / ROPE_BASE ** (np.arange(0, HEAD_DIM, 2) / HEAD_DIM)
    angles = np.outer(np.arange(length), inverse_frequencies)
    angles = np.concatenate([angles, angles], axis=-1)[:, None, :]
    cos, sin = np.cos(angles), np.sin(angles)
    causal = np.triu(np.full((length, length), -np.inf), k=1)

    def rms_norm(values: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        return values / np.sqrt(np.mean(values**2, axis=-1, keepdims=True) + RMS_EPS) * gamma

    def rotate(values: np.ndarray) -> np.ndarray:  # "rotate_half": the two halves of each head, not pairs
        half = HEAD_DIM // 2
        rotated = np.concatenate([-values[..., half:], values[..., :half]], axis=-1)
        return values * cos + rotated * sin

    for layer in weights.layers:
        h = rms_norm(x, layer["attn_norm"])
        q = (h @ layer["q"].T + layer.get("q_bias", 0)).reshape(length, HEADS, HEAD_DIM)
        k = (h @ layer["k"].T + layer.get("k_bias", 0)).reshape(length, KV_HEADS, HEAD_DIM)
        v = (h @ layer["v"].T + layer.get("v_bias", 0)).reshape(length, KV_HEADS, HEAD_DIM)
        q, k = rotate(q), rotate(k)
        k, v = np.repeat(k, HEADS // KV_HEADS, axis=1), np.repeat(v, HEADS // KV_HEADS, axis=1)
        scores = np.einsum("thd,shd->hts", q, k) / np.sqrt(HEAD_DIM) + causal
        probabilities = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        attended = np.einsum("hts,shd->thd", probabilities, v).reshape(length, HIDDEN)
        x = x + attended @ layer["o"].T
        h = rms_norm(x, layer["ffn_norm"])
        gate, up = h @ layer["gate"].T, h @ layer["up"].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ layer["down"].T
    head = weights.embed if weights.lm_head is None else weights.lm_head
    return rms_norm(x, weights.norm) @ head.T
