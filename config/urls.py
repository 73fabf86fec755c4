from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from config.password_reset import ThrottledPasswordResetView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Before django.contrib.auth's own reset view: the same page, throttled.
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboards/", include("dashboards.urls")),
    path("", include("tracker.urls")),
]
