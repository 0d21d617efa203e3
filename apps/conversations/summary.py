"""The rolling summary: what was said before the turns that still fit into the prompt."""

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction

from apps.conversations.models import Dialogue, DialogueSummary, Message
from apps.conversations.quality import reply_clean
from apps.inference.exceptions import BackendUnavailable
from apps.inference.types import ChatMessage, GenerationParams, TextGenerator

KEEP_RECENT = 12  # the newest messages stay verbatim in the prompt; the summary covers what came before
INSTRUCTIONS = {
    "ru": "Кратко перескажи разговор ниже в 3–5 предложениях от третьего лица: главные темы, чувства и события "
    "собеседника. Только пересказ, без вступлений.",
    "en": "Summarise the conversation below in 3–5 sentences in the third person: the user's main topics, feelings "
    "and events. Only the summary, no preamble.",
}


def dialogue_summary_refresh(*, dialogue_id: int, generator: TextGenerator) -> bool:
    """Fold the messages that are about to leave the prompt into the summary. Returns whether it changed.

    Safe to run twice: only messages after the summary's mark are added, and the mark moves in the same write.
    """
    dialogue = Dialogue.objects.select_related("user", "summary").filter(pk=dialogue_id).first()
    if dialogue is None:
        return False
    summary = getattr(dialogue, "summary", None)
    mark = summary.covers_until if summary else 0
    older = list(Message.objects.filter(dialogue=dialogue, pk__gt=mark).order_by("-id")[KEEP_RECENT:])[::-1]
    if len(older) < settings.DIALOGUE_SUMMARY_EVERY:
        return False
    language = dialogue.user.language
    transcript = "\n".join(f"{'User' if m.role == Message.Role.USER else 'Persona'}: {m.text}" for m in older)
    previous = f"{summary.text}\n\n" if summary else ""
    prompt = [
        ChatMessage("system", INSTRUCTIONS.get(language, INSTRUCTIONS["en"])),
        ChatMessage("user", previous + transcript),
    ]
    try:
        reply = async_to_sync(generator.generate)(prompt, GenerationParams(max_new_tokens=160, temperature=0.3))
    except BackendUnavailable:
        return False  # keep the old summary; the next refresh tries again
    text = reply_clean(reply.text, persona_name="Persona")
    if not text:
        return False
    with transaction.atomic():
        DialogueSummary.objects.update_or_create(
            dialogue=dialogue, defaults={"text": text, "covers_until": older[-1].pk}
        )
    return True
