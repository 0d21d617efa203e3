"""Staff roles as Django groups, kept in step with this table on every `migrate`.

- Product owner: the product itself (modules, personas, photos, scenes, prompts and safety lines, legal
  texts, plans, funnels, the hypothesis bank, referrals and surveys) and reading the dashboards.
- Marketing: the dashboards and the growth numbers, read only.
- Support: users, consents, feedback, subscriptions, payments and refunds; a person's data export and erasure
  (their own requests, audited). Never conversations (messages, memory, summaries) nor survey answers in the
  admin's pages: they leave only inside the export file the person asked for.
A superuser keeps every permission; give staff accounts a role instead.
"""

from django.db import transaction

FULL = ("add", "change", "delete", "view")
DEFAULT_ACTIONS = frozenset(FULL)  # Django's own per-model permissions; anything else is a model's custom one
EDIT = ("add", "change", "view")
READ = ("view",)

# Group names, as stored (the admin shows them as they are).
PRODUCT_OWNER = "Product owner"
MARKETING = "Marketing"
SUPPORT = "Support"

# {role: {"app_label.model": actions}}: an action is "add", "change", "delete", "view" or the codename of a custom
# permission declared in that model's Meta.permissions.
ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    PRODUCT_OWNER: {
        "personas.module": FULL,
        "personas.persona": FULL,
        "personas.personaphoto": FULL,
        "personas.scenario": FULL,
        "conversations.helpline": FULL,
        "conversations.regressionscript": FULL,
        "conversations.photodelivery": READ,
        "accounts.legaldocument": EDIT,
        "billing.plan": EDIT,
        "billing.freetier": EDIT,
        "analytics.event": READ,  # the dashboard
        "analytics.funneldefinition": FULL,
        "growth.hypothesis": FULL,
        "growth.acquisitionlink": FULL,
        "growth.spend": FULL,
        "growth.referralprogram": EDIT,
        "growth.referral": READ,
        "growth.survey": FULL,
        "growth.surveyresponse": READ,
        "growth.interviewcontact": READ,
    },
    MARKETING: {
        "analytics.event": READ,
        "analytics.funneldefinition": READ,
        "billing.plan": READ,
        "growth.hypothesis": READ,
        "growth.acquisitionlink": READ,
        "growth.spend": READ,
        "growth.referralprogram": READ,
        "growth.referral": READ,
        "growth.survey": READ,
    },
    SUPPORT: {
        # A person's data export and erasure are their requests to support; both are in the audit log.
        "accounts.telegramuser": ("change", "view", "export_user_data", "erase_user_data"),
        "accounts.dataerasure": READ,
        "accounts.consent": READ,
        "accounts.feedback": ("change", "view"),
        "billing.subscription": ("change", "view"),
        "billing.payment": ("change", "view"),
        "billing.refund": ("add", "view"),
        "billing.dailyusage": READ,
        "billing.bonusbalance": READ,
        "billing.plan": READ,
        "growth.interviewcontact": ("change", "view"),
    },
}

# What support must never be able to read, whatever is added to the table above.
CONVERSATION_MODELS = (
    "conversations.dialogue",
    "conversations.message",
    "conversations.memoryfact",
    "conversations.dialoguesummary",
    "growth.surveyresponse",
)


def permission_codename(model_label: str, action: str) -> str:
    """ "accounts.telegramuser", "view" → "view_telegramuser"; a custom permission's codename stays as it is."""
    return f"{action}_{model_label.split('.')[1]}" if action in DEFAULT_ACTIONS else action


@transaction.atomic
def staff_roles_sync() -> dict[str, int]:
    """Create the role groups and give each exactly the permissions of its table row; returns
    {role: permissions}. Permissions granted by hand to a role's group are taken back: edit the table."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in apps.get_app_configs():  # the permissions of apps migrated later in this run too
        create_permissions(app_config, verbosity=0)
    synced = {}
    for role, models in ROLES.items():
        wanted = [
            (label.split(".")[0], permission_codename(label, action))
            for label, actions in models.items()
            for action in actions
        ]
        permissions = list(
            Permission.objects.filter(
                content_type__app_label__in={app for app, _codename in wanted},
                codename__in={codename for _app, codename in wanted},
            ).select_related("content_type")
        )
        chosen = [p for p in permissions if (p.content_type.app_label, p.codename) in set(wanted)]
        missing = set(wanted) - {(p.content_type.app_label, p.codename) for p in chosen}
        if missing:
            raise LookupError(f"Role {role!r} names permissions that do not exist: {sorted(missing)}")
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(chosen)
        synced[role] = len(chosen)
    return synced


def staff_roles_sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate receiver, connected for the last installed app (see CoreConfig.ready)."""
    staff_roles_sync()
