import pytest

from apps.core.exceptions import NotFound
from apps.personas.models import Module
from apps.personas.selectors import LockReason, Viewer, module_list_for_user, persona_list_for_user
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db

EVERYTHING = Viewer(is_beta_tester=True, has_pro=True, adult_confirmed=True)


@pytest.fixture
def partner() -> Module:
    return Module.objects.get(code="partner")


def names(page) -> list[str]:
    return [item.name for item in page.items]


def test_free_user_sees_locked_cards_with_the_reason(partner):
    PersonaFactory(name="Free", order=1, modules=[partner])
    PersonaFactory(name="Pro", order=2, is_pro=True, modules=[partner])
    PersonaFactory(name="Adult", order=3, is_adult=True, is_pro=True, modules=[partner])
    PersonaFactory(name="Beta", order=4, visibility="beta", modules=[partner])

    page = persona_list_for_user(module_code="partner", viewer=Viewer(), page_size=10)

    assert {item.name: item.lock for item in page.items} == {
        "Free": None,
        "Pro": LockReason.PRO_REQUIRED,
        "Adult": LockReason.AGE_CONFIRMATION_REQUIRED,
        "Beta": LockReason.BETA_ONLY,
    }


def test_adult_persona_needs_pro_even_after_age_confirmation(partner):
    PersonaFactory(name="Adult", is_adult=True, modules=[partner])

    page = persona_list_for_user(module_code="partner", viewer=Viewer(adult_confirmed=True), page_size=10)

    assert page.items[0].lock == LockReason.PRO_REQUIRED


def test_everything_opens_for_a_confirmed_pro_beta_tester(partner):
    PersonaFactory(is_adult=True, is_pro=True, visibility="beta", modules=[partner])

    page = persona_list_for_user(module_code="partner", viewer=EVERYTHING, page_size=10)

    assert page.items[0].lock is None


def test_hidden_personas_never_appear(partner):
    PersonaFactory(name="Visible", modules=[partner])
    PersonaFactory(name="Hidden", visibility="hidden", modules=[partner])

    assert names(persona_list_for_user(module_code="partner", viewer=EVERYTHING, page_size=10)) == ["Visible"]


def test_adult_personas_are_left_out_of_modules_that_do_not_allow_18_plus():
    support = Module.objects.get(code="support")
    PersonaFactory(name="Kind", modules=[support])
    PersonaFactory(name="Adult", is_adult=True, modules=[support])

    assert names(persona_list_for_user(module_code="support", viewer=EVERYTHING, page_size=10)) == ["Kind"]


def test_pages_follow_the_sort_order_and_clamp_out_of_range_numbers(partner):
    for order, name in enumerate(["A", "B", "C"]):
        PersonaFactory(name=name, order=order, modules=[partner])

    first = persona_list_for_user(module_code="partner", viewer=Viewer(), page=1)
    beyond = persona_list_for_user(module_code="partner", viewer=Viewer(), page=99)

    assert (names(first), first.page, first.page_count, first.total) == (["A"], 1, 3, 3)
    assert (names(beyond), beyond.page) == (["C"], 3)


def test_preview_follows_the_viewer_language(partner):
    PersonaFactory(preview_ru="Привет", preview_en="Hello", modules=[partner])

    assert persona_list_for_user(module_code="partner", viewer=Viewer(language="en")).items[0].preview == "Hello"
    assert persona_list_for_user(module_code="partner", viewer=Viewer(language="ru")).items[0].preview == "Привет"


def test_inactive_module_is_not_found():
    with pytest.raises(NotFound):
        persona_list_for_user(module_code="celebrity", viewer=EVERYTHING)


def test_empty_module_gives_an_empty_page():
    page = persona_list_for_user(module_code="partner", viewer=Viewer())

    assert (page.items, page.total, page.page_count) == ((), 0, 0)


def test_main_menu_lists_active_modules_and_beta_ones_only_to_beta_testers():
    Module.objects.filter(code="practice").update(is_active=True, audience="beta")

    assert [m.code for m in module_list_for_user(viewer=Viewer())] == ["support", "partner"]
    assert [m.code for m in module_list_for_user(viewer=Viewer(is_beta_tester=True))] == [
        "support",
        "partner",
        "practice",
    ]


def test_module_that_requires_pro_is_locked_for_free_users():
    Module.objects.filter(code="celebrity").update(is_active=True, requires_pro=True)

    modules = {m.code: m.lock for m in module_list_for_user(viewer=Viewer(language="en"))}

    assert modules["celebrity"] == LockReason.PRO_REQUIRED
    assert modules["support"] is None
