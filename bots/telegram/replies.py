"""Sending text the way Telegram accepts it."""

import re
from html import escape

MESSAGE_LIMIT = 4096
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at sentence ends (then at spaces, then anywhere)."""
    pieces, current = [], ""
    for sentence in SENTENCE_END.split(text.strip()):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].rstrip())
            sentence = sentence[cut:].lstrip()
        candidate = f"{current} {sentence}".strip() if current else sentence
        if len(candidate) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return [piece for piece in pieces if piece]


def html_pieces(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Plain text made safe for parse_mode=HTML, split so that every escaped piece still fits."""
    pieces = []
    for piece in split_message(text, limit):
        escaped = escape(piece)
        pieces.extend([escaped] if len(escaped) <= MESSAGE_LIMIT else html_pieces(piece, limit // 2))
    return pieces
