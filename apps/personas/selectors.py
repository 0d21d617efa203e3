"""What the bot may show a user of the library. Plain frozen dataclasses, never model instances.

Who the user is (language, beta tester, PRO, confirmed age) comes in as a `Viewer`, built by the caller
from accounts and billing, so these rules stay in one place and do not depend on how a user is stored.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet

from apps.core.exceptions import NotFound
from apps.personas.models import Audience, Module, Persona, PersonaPhoto, Scenario, Visibility

DEFAULT_PAGE_SIZE = 1  # the bot shows one card at a time with previous / next buttons


@dataclass(frozen=True)
class Viewer:
    language: str = "ru"
    is_beta_tester: bool = False
    has_pro: bool = False
    adult_confirmed: bool = False


class LockReason(StrEnum):
    """Why something is shown but cannot be opened yet, in the order a user can resolve them."""

    BETA_ONLY = "beta_only"
    AGE_CONFIRMATION_REQUIRED = "age_confirmation_required"
    PRO_REQUIRED = "pro_required"


@dataclass(frozen=True)
class ModuleView:
    id: int
    code: str
    title: str
    description: str
    welcome: str
    allows_adult: bool
    lock: LockReason | None

    @property
    def locked(self) -> bool:
        return self.lock is not None


@dataclass(frozen=True)
class ScenarioView:
    id: int
    title: str
    situation: str
    first_line: str
    suggested_replies: tuple[str, ...]
    is_adult: bool
    is_pro: bool
    lock: LockReason | None

    @property
    def locked(self) -> bool:
        return self.lock is not None


@dataclass(frozen=True)
class PersonaCardView:
    id: int
    slug: str
    name: str
    preview: str
    description: str
    gender: str
    languages: tuple[str, ...]
    avatar_name: str | None  # storage name of the avatar (read it through default_storage)
    is_adult: bool
    is_pro: bool
    lock: LockReason | None
    scenarios: tuple[ScenarioView, ...] = field(default=())

    @property
    def locked(self) -> bool:
        return self.lock is not None


@dataclass(frozen=True)
class PersonaPage:
    module_code: str
    items: tuple[PersonaCardView, ...]
    page: int
    page_count: int
    total: int


@dataclass(frozen=True)
class PhotoView:
    id: int
    persona_id: int
    image_name: str
    caption: str
    tags: tuple[str, ...]


def access_lock(*, viewer: Viewer, is_adult: bool, is_pro: bool, beta_only: bool = False) -> LockReason | None:
    """The first thing standing between this viewer and the content; 18+ always needs PRO too."""
    if beta_only and not viewer.is_beta_tester:
        return LockReason.BETA_ONLY
    if is_adult and not viewer.adult_confirmed:
        return LockReason.AGE_CONFIRMATION_REQUIRED
    if (is_pro or is_adult) and not viewer.has_pro:
        return LockReason.PRO_REQUIRED
    return None


def module_list_for_user(*, viewer: Viewer) -> list[ModuleView]:
    """Active modules for the main menu; beta-only modules are listed to beta testers alone."""
    return [_module_view(module, viewer) for module in _visible_modules(viewer)]


def module_get_for_user(*, code: str, viewer: Viewer) -> ModuleView:
    return _module_view(_module_or_404(code, viewer), viewer)


def persona_list_for_user(
    *, module_code: str, viewer: Viewer, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> PersonaPage:
    """One page of a module's personas, locked ones included and marked with why.

    Hidden personas never appear; 18+ personas appear only in modules that allow 18+.
    A page number out of range is clamped, so previous / next never fall off the ends.
    """
    module = _module_or_404(module_code, viewer)
    personas = _listable_personas(module).prefetch_related(_scenarios_prefetch(module))
    paginator = Paginator(personas, max(1, page_size))
    if paginator.count == 0:
        return PersonaPage(module_code=module.code, items=(), page=1, page_count=0, total=0)
    current = paginator.get_page(max(1, page))
    shared = _module_scenarios(module)
    items = tuple(_persona_view(persona, viewer, module, shared) for persona in current.object_list)
    return PersonaPage(
        module_code=module.code,
        items=items,
        page=current.number,
        page_count=paginator.num_pages,
        total=paginator.count,
    )


def persona_card_get(*, persona_id: int, viewer: Viewer, module_code: str | None = None) -> PersonaCardView:
    """One card with its scenarios. Raises NotFound for hidden personas or ones outside the module."""
    module = _module_or_404(module_code, viewer) if module_code else None
    personas = _listable_personas(module) if module else Persona.objects.exclude(visibility=Visibility.HIDDEN)
    persona = personas.prefetch_related(_scenarios_prefetch(module)).filter(pk=persona_id).first()
    if persona is None:
        raise NotFound(code="persona_not_found")
    return _persona_view(persona, viewer, module, _module_scenarios(module))


def persona_card_preview(*, persona_id: int, viewer: Viewer) -> PersonaCardView:
    """The card as this viewer would get it, for staff previews: hidden personas and inactive modules too."""
    module = Module.objects.filter(personas=persona_id).order_by("order", "code").first()
    persona = Persona.objects.prefetch_related(_scenarios_prefetch(module)).filter(pk=persona_id).first()
    if persona is None:
        raise NotFound(code="persona_not_found")
    return _persona_view(persona, viewer, module, _module_scenarios(module))


def persona_photos_for_user(*, persona_id: int, viewer: Viewer) -> list[PhotoView]:
    """Gallery photos this viewer may receive: none of a persona they cannot open, no 18+ or PRO photo
    without the matching access."""
    persona = Persona.objects.exclude(visibility=Visibility.HIDDEN).filter(pk=persona_id).first()
    if persona is None or _persona_lock(persona, viewer, module=None):
        return []
    photos = PersonaPhoto.objects.filter(persona=persona)
    if access_lock(viewer=viewer, is_adult=True, is_pro=True):
        photos = photos.filter(is_adult=False)
    if not viewer.has_pro:
        photos = photos.filter(is_pro=False)
    return [
        PhotoView(
            id=photo.pk,
            persona_id=persona.pk,
            image_name=photo.image.name,
            caption=photo.caption,
            tags=tuple(photo.tags),
        )
        for photo in photos.order_by("order", "id")
    ]


def _visible_modules(viewer: Viewer) -> QuerySet[Module]:
    modules = Module.objects.filter(is_active=True)
    if not viewer.is_beta_tester:
        modules = modules.filter(audience=Audience.EVERYONE)
    return modules.order_by("order", "code")


def _module_or_404(code: str, viewer: Viewer) -> Module:
    module = _visible_modules(viewer).filter(code=code).first()
    if module is None:
        raise NotFound(code="module_not_found")
    return module


def _module_view(module: Module, viewer: Viewer) -> ModuleView:
    language = viewer.language
    return ModuleView(
        id=module.pk,
        code=module.code,
        title=module.title(language),
        description=module.description_ru if language == "ru" else module.description_en,
        welcome=module.welcome_ru if language == "ru" else module.welcome_en,
        allows_adult=module.allows_adult,
        lock=access_lock(viewer=viewer, is_adult=False, is_pro=module.requires_pro),
    )


def _listable_personas(module: Module) -> QuerySet[Persona]:
    personas = Persona.objects.filter(modules=module).exclude(visibility=Visibility.HIDDEN)
    if not module.allows_adult:
        personas = personas.filter(is_adult=False)
    return personas.order_by("order", "name", "id")


def _scenarios_prefetch(module: Module | None) -> Prefetch:
    scenarios = Scenario.objects.filter(is_active=True).order_by("order", "id")
    if module is not None and not module.allows_adult:
        scenarios = scenarios.filter(is_adult=False)
    return Prefetch("scenarios", queryset=scenarios, to_attr="active_scenarios")


def _persona_lock(persona: Persona, viewer: Viewer, module: Module | None) -> LockReason | None:
    return access_lock(
        viewer=viewer,
        is_adult=persona.is_adult,
        is_pro=persona.is_pro or bool(module and module.requires_pro),
        beta_only=persona.visibility == Visibility.BETA,
    )


def _module_scenarios(module: Module | None) -> list[Scenario]:
    """Scenarios that every persona of the module offers."""
    if module is None:
        return []
    scenarios = Scenario.objects.filter(module=module, is_active=True).order_by("order", "id")
    return list(scenarios if module.allows_adult else scenarios.filter(is_adult=False))


def _persona_view(
    persona: Persona, viewer: Viewer, module: Module | None, module_scenarios: list[Scenario]
) -> PersonaCardView:
    language = viewer.language
    scenarios = [*persona.active_scenarios, *module_scenarios]
    return PersonaCardView(
        id=persona.pk,
        slug=persona.slug,
        name=persona.name,
        preview=persona.preview(language),
        description=persona.description,
        gender=persona.gender,
        languages=tuple(persona.languages),
        avatar_name=persona.avatar.name or None,
        is_adult=persona.is_adult,
        is_pro=persona.is_pro,
        lock=_persona_lock(persona, viewer, module),
        scenarios=tuple(
            ScenarioView(
                id=scenario.pk,
                title=scenario.title(language),
                situation=scenario.situation,
                first_line=scenario.first_line,
                suggested_replies=tuple(scenario.suggested_replies),
                is_adult=scenario.is_adult,
                is_pro=scenario.is_pro,
                lock=access_lock(viewer=viewer, is_adult=scenario.is_adult, is_pro=scenario.is_pro),
            )
            for scenario in scenarios
        ),
    )
