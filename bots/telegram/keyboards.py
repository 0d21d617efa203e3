from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from apps.personas.presentation import CardPresentation
from apps.personas.selectors import ModuleView
from bots.telegram.callbacks import AgeAnswer, CardAction, ConsentAccept, InterviewAnswer, ModuleOpen
from bots.telegram.facade import UserView
from bots.telegram.growth_texts import interview_no, interview_yes
from bots.telegram.texts import age_no, age_yes, consent_button


def consent_keyboard(user: UserView) -> InlineKeyboardMarkup:
    ids = ",".join(str(document.id) for document in user.missing_documents)
    button = InlineKeyboardButton(text=consent_button(user), callback_data=ConsentAccept(documents=ids).pack())
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def modules_keyboard(modules: list[ModuleView]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=("🔒 " if module.locked else "") + module.title, callback_data=ModuleOpen(code=module.code).pack()
            )
        ]
        for module in modules
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def card_keyboard(presentation: CardPresentation, *, module: str, page: int, persona_id: int) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=button.label,
                callback_data=CardAction(module=module, page=page, persona=persona_id, action=button.action).pack(),
            )
            for button in row
        ]
        for row in presentation.buttons
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def age_keyboard(user: UserView, module: str, persona_id: int) -> InlineKeyboardMarkup:
    yes = AgeAnswer(adult=1, module=module, persona=persona_id).pack()
    no = AgeAnswer(adult=0, module=module, persona=persona_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=age_yes(user), callback_data=yes)],
                         [InlineKeyboardButton(text=age_no(user), callback_data=no)]]
    )  # fmt: skip


def interview_keyboard(user: UserView) -> InlineKeyboardMarkup:
    yes = InlineKeyboardButton(text=interview_yes(user), callback_data=InterviewAnswer(agreed=1).pack())
    no = InlineKeyboardButton(text=interview_no(user), callback_data=InterviewAnswer(agreed=0).pack())
    return InlineKeyboardMarkup(inline_keyboard=[[yes, no]])
