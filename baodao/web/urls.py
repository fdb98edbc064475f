from django.urls import path

from .views import (
    activation,
    activities,
    activities_admin,
    auth,
    circulars,
    community,
    coverage,
    exports,
    member,
    member_detail,
    mobilizations,
    mobilizations_admin,
    needs,
    needs_admin,
    policy,
    posts,
    posts_admin,
    public,
    roster,
    unit,
)

app_name = "web"
urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("activate/", activation.activate, name="activate"),
    path("activate/sms/", activation.activation_request, name="activation_request"),
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
        "community/<str:code>/members/export/",
        exports.community_members_export,
        name="community_members_export",
    ),
    path(
        "community/<str:code>/registrations/export/",
        exports.community_registrations_export,
        name="community_registrations_export",
    ),
    path(
        "community/<str:code>/activation/",
        activation.community_activation_codes,
        name="community_activation_codes",
    ),
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
    path("grid/<str:code>/activation/", activation.grid_activation_codes, name="grid_activation_codes"),
    # unit admin
    path("unit/<str:code>/members/", unit.unit_members, name="unit_members"),
    path("unit/<str:code>/members/export/", exports.unit_members_export, name="unit_members_export"),
    path("unit/<str:code>/activation/", activation.unit_activation_codes, name="unit_activation_codes"),
    path(
        "unit/<str:code>/unit-registrations/", unit.unit_registrations_apply, name="unit_registrations_apply"
    ),
    # roster (党员名册) import: unit admins, and street and district admins over the unit
    path("unit/<str:code>/roster/", roster.unit_roster, name="unit_roster"),
    path("roster-imports/<int:pk>/", roster.roster_import, name="roster_import"),
    path("roster-imports/<int:pk>/commit/", roster.roster_import_commit, name="roster_import_commit"),
    path("roster-imports/<int:pk>/errors/", roster.roster_import_errors, name="roster_import_errors"),
    path("roster/template/", roster.roster_template, name="roster_template"),
    # street and district admins
    path("coverage/<str:code>/", coverage.coverage, name="coverage"),
    path("coverage/<str:code>/export/", exports.coverage_export, name="coverage_export"),
    # exports that run in the background
    path("exports/jobs/<uuid:job_id>/", exports.export_job, name="export_job"),
    path("exports/files/<int:pk>/", exports.export_file, name="export_file"),
    # 三单制 — members, residents, grid workers and unit admins (views/needs.py)
    path("needs/", needs.needs_near, name="needs_near"),
    path("needs/new/", needs.need_new, name="need_new"),
    path("needs/<int:pk>/", needs.need_detail, name="need_detail"),
    path("needs/<int:pk>/photos/<int:photo_pk>/", needs.need_photo, name="need_photo"),
    path("needs/<int:pk>/<str:action>/", needs.need_action, name="need_action"),
    path("me/claims/", needs.my_claims, name="my_claims"),
    path("me/needs/", needs.my_needs, name="my_needs"),
    path("me/records/", needs.my_records, name="my_records"),
    path("inbox/", needs.inbox, name="inbox"),
    path("inbox/read/", needs.inbox_read, name="inbox_read"),
    # 三单制 — community, grid, street and district (views/needs_admin.py)
    path("community/<str:code>/needs/", needs_admin.community_needs, name="community_needs"),
    path(
        "community/<str:code>/needs/export/",
        needs_admin.community_needs_export,
        name="community_needs_export",
    ),
    path(
        "community/<str:code>/needs/vetting/",
        needs_admin.community_needs_vetting,
        name="community_needs_vetting",
    ),
    path("community/<str:code>/needs/new/", needs_admin.community_need_new, name="community_need_new"),
    path("community/<str:code>/records/", needs_admin.community_records, name="community_records"),
    path("records/<int:pk>/reverse/", needs_admin.record_reverse, name="record_reverse"),
    path("grid/<str:code>/needs/", needs_admin.grid_needs, name="grid_needs"),
    path("needs/stats/<str:code>/", needs_admin.need_stats, name="need_stats"),
    # activities, attendance, points, certificates — members (views/activities.py)
    path("activities/", activities.activity_list, name="activities"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/signup/", activities.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/cancel/", activities.activity_cancel_signup, name="activity_cancel_signup"),
    path("activities/<int:pk>/checkin/", activities.activity_checkin, name="activity_checkin"),
    path("activities/<int:pk>/checkout/", activities.activity_checkout, name="activity_checkout"),
    path("me/service/", activities.my_service, name="my_service"),
    path("me/points/", activities.my_points, name="my_points"),
    path("me/certificates/", activities.my_certificates, name="my_certificates"),
    path("certificates/<str:number>/pdf/", activities.certificate_pdf, name="certificate_pdf"),
    path("verify/", activities.certificate_lookup, name="certificate_lookup"),
    path("verify/<str:number>/", activities.certificate_verify, name="certificate_verify"),
    # activities — organisers and the community (views/activities_admin.py)
    path(
        "community/<str:code>/activities/", activities_admin.community_activities, name="community_activities"
    ),
    path("activities/new/", activities_admin.activity_new, name="activity_new"),
    path("activities/<int:pk>/code/", activities_admin.activity_code, name="activity_code"),
    path("activities/<int:pk>/projector/", activities_admin.activity_projector, name="activity_projector"),
    path("activities/<int:pk>/attendance/", activities_admin.activity_attendance, name="activity_attendance"),
    path("activities/<int:pk>/close/", activities_admin.activity_close, name="activity_close"),
    path("activities/<int:pk>/call-off/", activities_admin.activity_call_off, name="activity_call_off"),
    path("community/<str:code>/flags/", activities_admin.attendance_flags, name="attendance_flags"),
    path("community/<str:code>/points/", activities_admin.community_points, name="community_points"),
    # public
    path("c/<str:code>/", public.community_public, name="community_public"),
    path("c/<str:code>/board/", needs_admin.community_board, name="community_board"),
    # posts, teams, lead members — members (views/posts.py)
    path("posts/", posts.post_list, name="posts"),
    path("posts/<int:pk>/", posts.post_detail, name="post_detail"),
    path("posts/<int:pk>/claim/", posts.post_claim, name="post_claim"),
    path("posts/<int:pk>/withdraw/", posts.post_withdraw, name="post_withdraw"),
    path("me/posts/", posts.my_posts, name="my_posts"),
    path("teams/<int:pk>/", posts.team_detail, name="team_detail"),
    # posts, teams, lead members — the community and grid workers (views/posts_admin.py)
    path("community/<str:code>/posts/", posts_admin.community_posts, name="community_posts"),
    path("community/<str:code>/posts/new/", posts_admin.post_new, name="post_new"),
    path(
        "community/<str:code>/posts/unfilled/",
        posts_admin.community_without_post,
        name="community_without_post",
    ),
    path("posts/<int:pk>/close/", posts_admin.post_close, name="post_close"),
    path("posts/<int:pk>/holders/<int:member_pk>/confirm/", posts_admin.post_confirm, name="post_confirm"),
    path("posts/<int:pk>/holders/<int:member_pk>/reject/", posts_admin.post_reject, name="post_reject"),
    path("posts/<int:pk>/holders/<int:member_pk>/remove/", posts_admin.post_remove, name="post_remove"),
    path("community/<str:code>/teams/", posts_admin.community_teams, name="community_teams"),
    path("teams/<int:pk>/members/", posts_admin.team_member_add, name="team_member_add"),
    path(
        "teams/<int:pk>/members/<int:member_pk>/remove/",
        posts_admin.team_member_remove,
        name="team_member_remove",
    ),
    path("teams/<int:pk>/leader/", posts_admin.team_leader, name="team_leader"),
    path("grid/<str:code>/leads/", posts_admin.grid_leads, name="grid_leads"),
    path(
        "grid/<str:code>/leads/<int:member_pk>/revoke/", posts_admin.grid_lead_revoke, name="grid_lead_revoke"
    ),
    # 战时应急 — members (views/mobilizations.py)
    path("me/emergencies/", mobilizations.my_emergencies, name="my_emergencies"),
    path("emergencies/<int:pk>/", mobilizations.mobilization_detail, name="mobilization_detail"),
    path("emergencies/<int:pk>/respond/", mobilizations.mobilization_respond, name="mobilization_respond"),
    path("emergencies/<int:pk>/checkin/", mobilizations.mobilization_checkin, name="mobilization_checkin"),
    path("emergencies/<int:pk>/checkout/", mobilizations.mobilization_checkout, name="mobilization_checkout"),
    # 战时应急 — commanders and grid workers (views/mobilizations_admin.py)
    path("emergencies/", mobilizations_admin.mobilization_list, name="mobilization_list"),
    path("emergencies/new/", mobilizations_admin.mobilization_new, name="mobilization_new"),
    path("emergencies/<int:pk>/board/", mobilizations_admin.mobilization_board, name="mobilization_board"),
    path("emergencies/<int:pk>/code/", mobilizations_admin.mobilization_code, name="mobilization_code"),
    path("emergencies/<int:pk>/widen/", mobilizations_admin.mobilization_widen, name="mobilization_widen"),
    path("emergencies/<int:pk>/recall/", mobilizations_admin.mobilization_recall, name="mobilization_recall"),
    path(
        "emergencies/<int:pk>/stand-down/",
        mobilizations_admin.mobilization_stand_down,
        name="mobilization_stand_down",
    ),
    # 通报 (views/circulars.py)
    path("circulars/", circulars.circular_list, name="circulars"),
    path("circulars/<int:pk>/", circulars.circular_detail, name="circular_detail"),
    path("circulars/<int:pk>/pdf/", circulars.circular_pdf, name="circular_pdf"),
    # policy per district (views/policy.py)
    path("district/<str:code>/policy/", policy.district_policy, name="district_policy"),
]
