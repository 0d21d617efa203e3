"""Converters that turn downloaded model files into CTranslate2 model directories with a manifest."""

from apps.inference.convert.gguf import QUANTIZATIONS, convert_gguf

__all__ = ["QUANTIZATIONS", "convert_gguf"]
