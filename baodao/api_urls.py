"""`/api/`: the versioned REST API (`v1/`) and its public OpenAPI schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from baodao.accounts import api as accounts
from baodao.lib.api import api_not_found
from baodao.members import api as members
from baodao.org import api as org
from baodao.registration import api as registration

v1 = [
    path("auth/token", accounts.TokenView.as_view(), name="token"),
    path("me", accounts.MeView.as_view(), name="me"),
    path("me/profile", members.MeProfileView.as_view(), name="me-profile"),
    path("users", accounts.UserCreateView.as_view(), name="users"),
    path("regions", org.RegionListView.as_view(), name="regions"),
    path("regions/<str:code>", org.RegionDetailView.as_view(), name="region"),
    path("units", org.UnitListView.as_view(), name="units"),
    path("units/<str:code>", org.UnitDetailView.as_view(), name="unit"),
    path("units/<str:code>/coverage", registration.UnitCoverageView.as_view(), name="unit-coverage"),
    path("coverage", registration.CoverageListView.as_view(), name="coverage"),
    path("skills", members.SkillListView.as_view(), name="skills"),
    path("members", members.MemberListView.as_view(), name="members"),
    path("members/<int:pk>", members.MemberDetailView.as_view(), name="member"),
    path("members/<int:pk>/unmask", members.MemberUnmaskView.as_view(), name="member-unmask"),
    path("registrations", registration.RegistrationListView.as_view(), name="registrations"),
    path("registrations/<int:pk>", registration.RegistrationDetailView.as_view(), name="registration"),
    path(
        "registrations/<int:pk>/confirm",
        registration.RegistrationConfirmView.as_view(),
        name="registration-confirm",
    ),
    path(
        "registrations/<int:pk>/reject",
        registration.RegistrationRejectView.as_view(),
        name="registration-reject",
    ),
    path("registrations/<int:pk>/end", registration.RegistrationEndView.as_view(), name="registration-end"),
    path("unit-registrations", registration.UnitRegistrationListView.as_view(), name="unit-registrations"),
    path(
        "unit-registrations/<int:pk>",
        registration.UnitRegistrationDetailView.as_view(),
        name="unit-registration",
    ),
    path(
        "unit-registrations/<int:pk>/confirm",
        registration.UnitRegistrationConfirmView.as_view(),
        name="unit-registration-confirm",
    ),
    path(
        "unit-registrations/<int:pk>/reject",
        registration.UnitRegistrationRejectView.as_view(),
        name="unit-registration-reject",
    ),
    path(
        "unit-registrations/<int:pk>/end",
        registration.UnitRegistrationEndView.as_view(),
        name="unit-registration-end",
    ),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    # The split view serves its start-up script as a file, so the docs work under our CSP (no inline script).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[]),
        name="api-docs",
    ),
    re_path(r"", api_not_found),
]
