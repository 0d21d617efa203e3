import pytest

from bots.telegram.replies import MESSAGE_LIMIT, html_pieces, split_message


def test_short_text_is_one_piece():
    assert split_message("Привет! Как дела?") == ["Привет! Как дела?"]


def test_long_text_is_cut_at_sentence_ends():
    sentence = "Это довольно длинное предложение про море и солнце. "
    pieces = split_message(sentence * 200)

    assert all(len(piece) <= MESSAGE_LIMIT for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)
    assert " ".join(pieces) == (sentence * 200).strip()


def test_a_sentence_longer_than_the_limit_is_cut_at_spaces():
    pieces = split_message("слово " * 2000)

    assert all(len(piece) <= MESSAGE_LIMIT for piece in pieces)
    assert sum(piece.count("слово") for piece in pieces) == 2000


@pytest.mark.parametrize("text", ["<b>&</b>" * 1500, "a < b & c > d. " * 600])
def test_escaped_pieces_still_fit_telegrams_limit(text):
    pieces = html_pieces(text)

    assert all(len(piece) <= MESSAGE_LIMIT for piece in pieces)
    assert "<b>" not in "".join(pieces)
