from django.urls import path

from .views import auth, community, coverage, member, member_detail, public, unit

app_name = "web"
urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    # the member itself
    path("me/", member.me, name="me"),
    path("me/apply/", member.me_apply, name="me_apply"),
    path("me/profile/", member.me_profile, name="me_profile"),
    path("me/end/", member.me_end, name="me_end"),
    # community admin
    path(
        "community/<str:code>/registrations/",
        community.community_registrations,
        name="community_registrations",
    ),
    path("community/<str:code>/members/", community.community_members, name="community_members"),
    path(
        "community/<str:code>/unit-registrations/",
        community.community_unit_registrations,
        name="community_unit_registrations",
    ),
    path("registrations/<int:pk>/confirm/", community.registration_confirm, name="registration_confirm"),
    path("registrations/<int:pk>/reject/", community.registration_reject, name="registration_reject"),
    path(
        "unit-registrations/<int:pk>/confirm/",
        community.unit_registration_confirm,
        name="unit_registration_confirm",
    ),
    path(
        "unit-registrations/<int:pk>/reject/",
        community.unit_registration_reject,
        name="unit_registration_reject",
    ),
    path("members/<int:pk>/", member_detail.member_detail, name="member_detail"),
    path("members/<int:pk>/unmask/", member_detail.member_unmask_view, name="member_unmask"),
    # grid worker
    path("grid/<str:code>/members/", community.grid_members, name="grid_members"),
    # unit admin
    path("unit/<str:code>/members/", unit.unit_members, name="unit_members"),
    path(
        "unit/<str:code>/unit-registrations/", unit.unit_registrations_apply, name="unit_registrations_apply"
    ),
    # street and district admins
    path("coverage/<str:code>/", coverage.coverage, name="coverage"),
    # public
    path("c/<str:code>/", public.community_public, name="community_public"),
]
