"""A Hugging Face `tokenizer.json` rebuilt from the byte-level BPE vocabulary stored in a GGUF file.

GGUF keeps the tokens (already in GPT-2's byte-to-unicode alphabet), the merges and a token type per token, but
only a *name* for the pre-tokenizer (`tokenizer.ggml.pre`). The split rules below are those of the original
Hugging Face tokenizers (which llama.cpp re-implements under the same names):

- absent, "default", "gpt2", "gpt-2": GPT-2's byte-level split;
- "smollm", "starcoder", "refact": every digit on its own, then GPT-2's split (SmolLM, StarCoder);
- "qwen2": NFC normalization, then Qwen2's split (single digits, case-insensitive contractions);
- "llama-bpe": Llama 3's split (digits in groups of up to three), whole vocabulary words before merges.

Any other name is refused rather than guessed: a wrong split still produces text, only worse, and nobody notices.
No BOS token is added (chat templates write their own special tokens).
"""

from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from apps.inference.convert.reader import TOKEN_TYPE_CONTROL, TOKEN_TYPE_USER_DEFINED, GGUFModelInfo
from apps.inference.exceptions import UnsupportedModel

QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+"
)
GPT2_NAMES = ("default", "gpt2", "gpt-2")
DIGITS_THEN_GPT2_NAMES = ("smollm", "starcoder", "refact")
SUPPORTED_PRE_TOKENIZERS = (*GPT2_NAMES, *DIGITS_THEN_GPT2_NAMES, "qwen2", "llama-bpe")


def check_pre_tokenizer(info: GGUFModelInfo) -> None:
    """Refuse, before any work is done, a vocabulary whose split rules are unknown."""
    if info.pre_tokenizer not in SUPPORTED_PRE_TOKENIZERS:
        raise UnsupportedModel(
            f"The GGUF vocabulary uses the pre-tokenizer {info.pre_tokenizer!r}; the converter knows "
            f"{', '.join(SUPPORTED_PRE_TOKENIZERS)}. Convert the original Hugging Face model instead."
        )


def build_tokenizer(info: GGUFModelInfo) -> Tokenizer:
    check_pre_tokenizer(info)
    vocabulary: dict[str, int] = {}
    for token_id, token in enumerate(info.tokens):
        vocabulary.setdefault(token, token_id)  # a repeated string keeps its first id, as llama.cpp does
    merges = []
    for merge in info.merges:
        left, _, right = merge.partition(" ")
        if not left or not right:
            raise UnsupportedModel(f"The GGUF vocabulary has a malformed merge {merge!r}.")
        merges.append((left, right))
    pre = info.pre_tokenizer
    try:
        tokenizer = Tokenizer(
            models.BPE(
                vocab=vocabulary, merges=merges, fuse_unk=False, byte_fallback=False, ignore_merges=pre == "llama-bpe"
            )
        )
    except Exception as error:  # tokenizers raises a plain Exception for merges of unknown tokens
        raise UnsupportedModel(f"The GGUF vocabulary is inconsistent: {error}") from error

    if pre == "qwen2":
        tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = _pre_tokenizer(pre)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)

    types = info.token_types or (1,) * len(info.tokens)
    special = [
        AddedToken(tok, special=True, normalized=False)
        for tok, kind in zip(info.tokens, types, strict=True)
        if kind == TOKEN_TYPE_CONTROL
    ]
    added = [
        AddedToken(tok, special=False, normalized=False)
        for tok, kind in zip(info.tokens, types, strict=True)
        if kind == TOKEN_TYPE_USER_DEFINED
    ]
    tokenizer.add_special_tokens(special)
    tokenizer.add_tokens(added)
    return tokenizer


def write_tokenizer(info: GGUFModelInfo, directory: Path) -> Path:
    path = directory / "tokenizer.json"
    build_tokenizer(info).save(str(path))
    return path


def _pre_tokenizer(name: str) -> pre_tokenizers.PreTokenizer:
    if name in GPT2_NAMES:
        return pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if name in DIGITS_THEN_GPT2_NAMES:
        return pre_tokenizers.Sequence(
            [
                pre_tokenizers.Digits(individual_digits=True),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
            ]
        )
    pattern = QWEN2_PATTERN if name == "qwen2" else LLAMA3_PATTERN
    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
