from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every model of the project: when a row was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AdminAuditEntry(models.Model):
    """One change made in the admin (any POST there) or one export downloaded from it: who, when, where,
    which action on which objects, and the answer. Never the submitted values: they may be personal data."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150, blank=True)  # kept if the account is deleted
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("page"), max_length=500)
    action = models.CharField(_("action"), max_length=100, blank=True)
    object_ids = models.JSONField(_("objects"), default=list, blank=True)
    status_code = models.PositiveSmallIntegerField(_("answer"))
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("admin audit entry")
        verbose_name_plural = _("admin audit log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.method} {self.path}"


class DeferredTask(models.Model):
    """A background task that could not reach the broker (Redis down): kept here until core.deferred_tasks_send
    hands it over. Holds a task name and ids only, never message text."""

    name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    deferred_at = models.DateTimeField(_("deferred at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deferred task")
        verbose_name_plural = _("deferred tasks")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
