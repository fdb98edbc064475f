"""`/api/`: the versioned REST API (`v1/`) and its public OpenAPI schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from baodao.accounts import api as accounts
from baodao.activation import api as activation
from baodao.activities import api as activities
from baodao.appraisals import api as appraisals
from baodao.certificates import api as certificates
from baodao.circulars import api as circulars
from baodao.exports import api as exports
from baodao.feedback import api as feedback
from baodao.jobs import api as jobs
from baodao.ledger import api as ledger
from baodao.ledger import points_api
from baodao.lib.api import api_not_found
from baodao.members import api as members
from baodao.mobilizations import api as mobilizations
from baodao.needs import api as needs
from baodao.notify import api as notify
from baodao.org import api as org
from baodao.policy import api as policy
from baodao.posts import api as posts
from baodao.preappointment import api as preappointment
from baodao.registration import api as registration
from baodao.roster import api as roster
from baodao.stats import api as stats

v1 = [
    path("auth/token", accounts.TokenView.as_view(), name="token"),
    path("auth/activate", activation.ActivateView.as_view(), name="activate"),
    path(
        "auth/activation-code", activation.ActivationCodeRequestView.as_view(), name="activation-code-request"
    ),
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
    path(
        "members/<int:pk>/activation-code",
        activation.MemberActivationCodeView.as_view(),
        name="member-activation-code",
    ),
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
    path("jobs/<uuid:job_id>", jobs.JobDetailView.as_view(), name="job"),
    path("units/<str:code>/roster", roster.UnitRosterView.as_view(), name="unit-roster"),
    path("roster/template", roster.RosterTemplateView.as_view(), name="roster-template"),
    path("roster-imports/<int:pk>", roster.RosterImportDetailView.as_view(), name="roster-import"),
    path("roster-imports/<int:pk>/commit", roster.RosterCommitView.as_view(), name="roster-import-commit"),
    path(
        "roster-imports/<int:pk>/errors.xlsx",
        roster.RosterErrorWorkbookView.as_view(),
        name="roster-import-errors",
    ),
    path("exports/members", exports.MemberExportView.as_view(), name="export-members"),
    path("exports/registrations", exports.RegistrationExportView.as_view(), name="export-registrations"),
    path("exports/coverage", exports.CoverageExportView.as_view(), name="export-coverage"),
    path("exports/files/<int:pk>", exports.ExportFileView.as_view(), name="export-file"),
    # 三单制
    path("needs", needs.NeedListView.as_view(), name="needs"),
    path("needs/<int:pk>", needs.NeedDetailView.as_view(), name="need"),
    path("needs/<int:pk>/publish", needs.NeedPublishView.as_view(), name="need-publish"),
    path("needs/<int:pk>/decline", needs.NeedDeclineView.as_view(), name="need-decline"),
    path("needs/<int:pk>/merge", needs.NeedMergeView.as_view(), name="need-merge"),
    path("needs/<int:pk>/assign", needs.NeedAssignView.as_view(), name="need-assign"),
    path("needs/<int:pk>/claim", needs.NeedClaimView.as_view(), name="need-claim"),
    path("needs/<int:pk>/withdraw", needs.NeedWithdrawView.as_view(), name="need-withdraw"),
    path("needs/<int:pk>/complete", needs.NeedCompleteView.as_view(), name="need-complete"),
    path("needs/<int:pk>/confirm", needs.NeedConfirmView.as_view(), name="need-confirm"),
    path("needs/<int:pk>/dispute", needs.NeedDisputeView.as_view(), name="need-dispute"),
    path("needs/<int:pk>/reopen", needs.NeedReopenView.as_view(), name="need-reopen"),
    path("needs/<int:pk>/close", needs.NeedCloseView.as_view(), name="need-close"),
    path("needs/<int:pk>/photos", needs.NeedPhotoListView.as_view(), name="need-photos"),
    path("needs/<int:pk>/photos/<int:photo_pk>", needs.NeedPhotoView.as_view(), name="need-photo"),
    path("me/claims", needs.MyClaimListView.as_view(), name="me-claims"),
    path("me/records", ledger.MyRecordListView.as_view(), name="me-records"),
    path("records/<int:pk>/reverse", ledger.RecordReverseView.as_view(), name="record-reverse"),
    path("me/notices", notify.MyNoticeListView.as_view(), name="me-notices"),
    path("me/notices/read-all", notify.MyNoticeReadAllView.as_view(), name="me-notices-read-all"),
    path("me/notices/<int:pk>/read", notify.MyNoticeReadView.as_view(), name="me-notice-read"),
    # activities, points, certificates
    path("activities", activities.ActivityListView.as_view(), name="activities"),
    path("activities/<int:pk>", activities.ActivityDetailView.as_view(), name="activity"),
    path("activities/<int:pk>/signup", activities.ActivitySignupView.as_view(), name="activity-signup"),
    path("activities/<int:pk>/cancel", activities.ActivityCancelSignupView.as_view(), name="activity-cancel"),
    path(
        "activities/<int:pk>/checkin-code",
        activities.ActivityCheckinCodeView.as_view(),
        name="activity-checkin-code",
    ),
    path("activities/<int:pk>/checkin", activities.ActivityCheckinView.as_view(), name="activity-checkin"),
    path("activities/<int:pk>/checkout", activities.ActivityCheckoutView.as_view(), name="activity-checkout"),
    path(
        "activities/<int:pk>/attendance",
        activities.ActivityAttendanceView.as_view(),
        name="activity-attendance",
    ),
    path("activities/<int:pk>/close", activities.ActivityCloseView.as_view(), name="activity-close"),
    path("activities/<int:pk>/call-off", activities.ActivityCallOffView.as_view(), name="activity-call-off"),
    path("me/points", points_api.MyPointsView.as_view(), name="me-points"),
    path("certificates", certificates.CertificateListView.as_view(), name="certificates"),
    path(
        "certificates/<str:number>/verify",
        certificates.CertificateVerifyView.as_view(),
        name="certificate-verify",
    ),
    path("certificates/<str:number>/pdf", certificates.CertificatePdfView.as_view(), name="certificate-pdf"),
    # posts, branches and teams, lead members of a grid
    path("posts", posts.PostListView.as_view(), name="posts"),
    path("posts/<int:pk>", posts.PostDetailView.as_view(), name="post"),
    path("posts/<int:pk>/claim", posts.PostClaimView.as_view(), name="post-claim"),
    path("posts/<int:pk>/confirm", posts.PostConfirmView.as_view(), name="post-confirm"),
    path("posts/<int:pk>/reject", posts.PostRejectView.as_view(), name="post-reject"),
    path("posts/<int:pk>/withdraw", posts.PostWithdrawView.as_view(), name="post-withdraw"),
    path("posts/<int:pk>/close", posts.PostCloseView.as_view(), name="post-close"),
    path("me/posts", posts.MyPostListView.as_view(), name="me-posts"),
    path("teams", posts.TeamListView.as_view(), name="teams"),
    path("teams/<int:pk>", posts.TeamDetailView.as_view(), name="team"),
    path("teams/<int:pk>/members", posts.TeamMembersView.as_view(), name="team-members"),
    path("teams/<int:pk>/members/<int:member_id>", posts.TeamMemberView.as_view(), name="team-member"),
    path("teams/<int:pk>/leader", posts.TeamLeaderView.as_view(), name="team-leader"),
    path("grids/<str:code>/leads", posts.GridLeadListView.as_view(), name="grid-leads"),
    path("grids/<str:code>/leads/<int:member_id>", posts.GridLeadView.as_view(), name="grid-lead"),
    # 战时 emergency mobilisation
    path("mobilizations", mobilizations.MobilizationListView.as_view(), name="mobilizations"),
    path("mobilizations/<int:pk>", mobilizations.MobilizationDetailView.as_view(), name="mobilization"),
    path(
        "mobilizations/<int:pk>/respond",
        mobilizations.MobilizationRespondView.as_view(),
        name="mobilization-respond",
    ),
    path(
        "mobilizations/<int:pk>/checkin",
        mobilizations.MobilizationCheckinView.as_view(),
        name="mobilization-checkin",
    ),
    path(
        "mobilizations/<int:pk>/checkout",
        mobilizations.MobilizationCheckoutView.as_view(),
        name="mobilization-checkout",
    ),
    path(
        "mobilizations/<int:pk>/rollcall",
        mobilizations.MobilizationRollCallView.as_view(),
        name="mobilization-rollcall",
    ),
    path(
        "mobilizations/<int:pk>/calls",
        mobilizations.MobilizationCallListView.as_view(),
        name="mobilization-calls",
    ),
    path(
        "mobilizations/<int:pk>/widen",
        mobilizations.MobilizationWidenView.as_view(),
        name="mobilization-widen",
    ),
    path(
        "mobilizations/<int:pk>/recall",
        mobilizations.MobilizationRecallView.as_view(),
        name="mobilization-recall",
    ),
    path(
        "mobilizations/<int:pk>/checkin-code",
        mobilizations.MobilizationCheckinCodeView.as_view(),
        name="mobilization-checkin-code",
    ),
    path(
        "mobilizations/<int:pk>/stand-down",
        mobilizations.MobilizationStandDownView.as_view(),
        name="mobilization-stand-down",
    ),
    # policy per district
    path("policy", policy.PolicyView.as_view(), name="policy"),
    # 通报 (circulars)
    path("circulars", circulars.CircularListView.as_view(), name="circulars"),
    path("circulars/published", circulars.PublishedCircularListView.as_view(), name="circulars-published"),
    path("circulars/<int:pk>", circulars.CircularDetailView.as_view(), name="circular"),
    path("circulars/<int:pk>/pdf", circulars.CircularPdfView.as_view(), name="circular-pdf"),
    # 考评 (appraisals)
    path("appraisals/runs", appraisals.RunListView.as_view(), name="appraisal-runs"),
    path("appraisals/runs/<int:pk>", appraisals.RunDetailView.as_view(), name="appraisal-run"),
    path("appraisals", appraisals.AppraisalListView.as_view(), name="appraisals"),
    path("appraisals/finalise-all", appraisals.FinaliseAllView.as_view(), name="appraisals-finalise-all"),
    path("appraisals/<int:pk>", appraisals.AppraisalDetailView.as_view(), name="appraisal"),
    path(
        "appraisals/<int:pk>/self-assess", appraisals.SelfAssessView.as_view(), name="appraisal-self-assess"
    ),
    path("appraisals/<int:pk>/evaluate", appraisals.EvaluateView.as_view(), name="appraisal-evaluate"),
    path("appraisals/<int:pk>/finalise", appraisals.FinaliseView.as_view(), name="appraisal-finalise"),
    path("appraisals/<int:pk>/appeal", appraisals.AppealView.as_view(), name="appraisal-appeal"),
    path("appraisals/<int:pk>/answer", appraisals.AnswerView.as_view(), name="appraisal-answer"),
    # dashboards (数据看板)
    path("dashboard", stats.DashboardView.as_view(), name="dashboard"),
    # 反馈函 (feedback letters) and one-click reminders
    path("units/<str:code>/feedback", feedback.UnitFeedbackView.as_view(), name="unit-feedback"),
    path("units/<str:code>/feedback.pdf", feedback.UnitFeedbackPdfView.as_view(), name="unit-feedback-pdf"),
    path(
        "units/<str:code>/feedback.xlsx", feedback.UnitFeedbackXlsxView.as_view(), name="unit-feedback-xlsx"
    ),
    path("units/<str:code>/remind", feedback.UnitRemindView.as_view(), name="unit-remind"),
    path("feedback/send", feedback.FeedbackSendView.as_view(), name="feedback-send"),
    # 任前考察 (pre-appointment checks)
    path("preappointment-checks", preappointment.CheckListView.as_view(), name="preappointment-checks"),
    path(
        "preappointment-checks/<int:pk>",
        preappointment.CheckDetailView.as_view(),
        name="preappointment-check",
    ),
    path(
        "preappointment-checks/<int:pk>/answer",
        preappointment.CheckAnswerView.as_view(),
        name="preappointment-check-answer",
    ),
    path(
        "preappointment-checks/<int:pk>/explain",
        preappointment.CheckExplainView.as_view(),
        name="preappointment-check-explain",
    ),
    path(
        "preappointment-checks/<int:pk>/pdf",
        preappointment.CheckPdfView.as_view(),
        name="preappointment-check-pdf",
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
