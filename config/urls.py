from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from apps.analytics.views import analytics_dashboard
from apps.core.views import media_serve
from config.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/analytics/dashboard/", admin.site.admin_view(analytics_dashboard), name="analytics_dashboard"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    re_path(r"^media/(?P<path>.*)$", media_serve, name="media"),
]
