"""Plans and the free tier for the product owner; subscriptions, payments and refunds for support."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ExportMixin, ImportExportModelAdmin
from import_export.formats.base_formats import CSV, JSON, XLSX
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import action

from apps.billing.models import BonusBalance, DailyUsage, FreeTier, Payment, Plan, Refund, Subscription
from apps.billing.services.payments import payment_refund
from apps.billing.services.subscriptions import subscription_cancel_now, subscription_extend_days
from apps.core.exceptions import ApplicationError

TABLE_FORMATS = [CSV, XLSX, JSON]


class PlanResource(resources.ModelResource):
    class Meta:
        model = Plan
        import_id_fields = ("code",)
        exclude = ("id", "created_at", "updated_at")
        clean_model_instances = True
        skip_unchanged = True


class PaymentResource(resources.ModelResource):
    """The accounting export: no names, the user by Telegram id."""

    class Meta:
        model = Payment
        fields = ("id", "created_at", "paid_at", "user__telegram_id", "plan__code", "provider", "kind", "status",
                  "amount", "currency", "refunded_amount", "provider_payment_id")  # fmt: skip
        export_order = fields


@admin.register(Plan)
class PlanAdmin(ImportExportModelAdmin, ModelAdmin):
    resource_classes = [PlanResource]
    import_form_class = ImportForm
    export_form_class = ExportForm
    formats = TABLE_FORMATS
    list_display = ("code", "title_ru", "price", "period_months", "messages_per_day", "photos_per_day", "is_active")
    list_editable = ("is_active",)
    list_filter = ("is_active", "period_months")
    search_fields = ("code", "title_ru", "title_en")
    fieldsets = (
        (None, {"fields": ("code", "is_active", "order", "price", "stars_price", "period_months")}),
        (_("Texts"), {"fields": ("title_ru", "title_en", "description_ru", "description_en")}),
        (_("What it unlocks"), {"fields": ("pro_personas", "adult_content", "messages_per_day", "photos_per_day")}),
    )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # payments refer to plans: take a plan off sale instead


@admin.register(FreeTier)
class FreeTierAdmin(ModelAdmin):
    list_display = ("__str__", "messages_per_day", "photos_per_day", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not FreeTier.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Days to add"), min_value=1, max_value=3660, initial=7)


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount, RUB"),
        min_value=Decimal("0.01"),
        decimal_places=2,
        required=False,
        help_text=_("Empty: refund everything not yet refunded."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


@admin.register(Subscription)
class SubscriptionAdmin(ModelAdmin):
    list_display = ("user", "plan", "status", "current_period_end", "auto_renew", "renewal_attempts", "created_at")
    list_filter = ("status", "plan", "auto_renew", ("current_period_end", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("=user__telegram_id", "user__username")
    list_select_related = ("user", "plan")
    readonly_fields = [field.name for field in Subscription._meta.fields]
    actions_detail = ("extend", "cancel_now")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # subscriptions come from payments

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @action(description=_("Extend…"), url_path="extend", permissions=["change"], icon="more_time")
    def extend(self, request: HttpRequest, object_id: str) -> HttpResponse:
        subscription = get_object_or_404(Subscription, pk=object_id)
        form = ExtendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                subscription_extend_days(
                    subscription_id=subscription.pk, days=form.cleaned_data["days"], actor=request.user.get_username()
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                self.message_user(request, _("Subscription extended."), messages.SUCCESS)
                return redirect(reverse("admin:billing_subscription_change", args=[subscription.pk]))
        intro = _("Days are added to the end of the paid period (or to today for an ended one).")
        return _form_page(self, request, subscription, form, _("Extend the subscription"), _("Extend"), intro)

    @action(description=_("Cancel now"), url_path="cancel-now", permissions=["change"], icon="block")
    def cancel_now(self, request: HttpRequest, object_id: str) -> HttpResponse:
        subscription = get_object_or_404(Subscription, pk=object_id)
        if request.method == "POST":
            subscription_cancel_now(subscription_id=subscription.pk, actor=request.user.get_username())
            self.message_user(request, _("Subscription canceled."), messages.SUCCESS)
            return redirect(reverse("admin:billing_subscription_change", args=[subscription.pk]))
        intro = _("Access ends at once and nothing renews. Refund payments separately.")
        return _form_page(
            self, request, subscription, forms.Form(), _("Cancel the subscription now"), _("Cancel now"), intro
        )


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "amount", "status", "provider_refund_id", "reason", "actor")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ExportMixin, ModelAdmin):
    resource_classes = [PaymentResource]
    export_form_class = ExportForm
    formats = TABLE_FORMATS
    list_display = ("id", "created_at", "user", "plan", "provider", "kind", "amount", "refunded_amount", "status")
    list_filter = ("status", "provider", "kind", "plan", ("created_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("=user__telegram_id", "=provider_payment_id")
    list_select_related = ("user", "plan")
    readonly_fields = [field.name for field in Payment._meta.fields]
    inlines = [RefundInline]
    date_hierarchy = "created_at"
    actions_detail = ("refund",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # accounting records stay

    @action(description=_("Refund…"), url_path="refund", permissions=["change"], icon="undo")
    def refund(self, request: HttpRequest, object_id: str) -> HttpResponse:
        payment = get_object_or_404(Payment, pk=object_id)
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                payment_refund(
                    payment_id=payment.pk,
                    amount=form.cleaned_data["amount"],
                    actor=request.user.get_username(),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                self.message_user(request, _("Refund requested."), messages.SUCCESS)
                return redirect(reverse("admin:billing_payment_change", args=[payment.pk]))
        left = payment.amount - payment.refunded_amount
        intro = _("Paid %(paid)s, refunded %(refunded)s: up to %(left)s can be refunded through YooKassa.") % {
            "paid": payment.amount, "refunded": payment.refunded_amount, "left": left}  # fmt: skip
        return _form_page(self, request, payment, form, _("Refund the payment"), _("Refund"), intro)


@admin.register(Refund)
class RefundAdmin(ModelAdmin):
    list_display = ("created_at", "payment", "amount", "status", "actor")
    list_filter = ("status", ("created_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("=payment__user__telegram_id", "=provider_refund_id")
    readonly_fields = [field.name for field in Refund._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # refunds start from a payment

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(DailyUsage)
class DailyUsageAdmin(ModelAdmin):
    list_display = ("day", "user", "messages")
    list_filter = (("day", admin.DateFieldListFilter),)
    search_fields = ("=user__telegram_id",)
    readonly_fields = ("user", "day", "messages")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BonusBalance)
class BonusBalanceAdmin(ModelAdmin):
    """Given messages left (referral rewards): spent after the day's own limit."""

    list_display = ("user", "messages", "updated_at")
    search_fields = ("=user__telegram_id", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "messages", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


def _form_page(model_admin, request, obj, form, title, submit_label, intro) -> TemplateResponse:
    meta = obj._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": meta,
        "original": obj,
        "title": title,
        "form": form,
        "intro": intro,
        "submit_label": submit_label,
        "back_url": reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
    }
    return TemplateResponse(request, "admin/billing/action_form.html", context)
