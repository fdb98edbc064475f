"""API of posts (岗位), functional branches and volunteer teams, and lead members of a grid:
`/api/v1/posts` (set by need, list, detail; claim, confirm, reject, withdraw, close), `/api/v1/me/posts`,
`/api/v1/teams` (create, list, detail; members and leader), `/api/v1/grids/{code}/leads`.

Every post and team is fetched through the caller's scope (out of scope: 404); the services decide who may
act on a visible one (403: only the community's admins set, confirm and close posts and manage teams; only a
member registered in the community claims its posts; only the grid's worker or the community names lead
members) and whether its state allows the action (409 with a stable `error`: `illegal_transition`,
`already_claimed`, `full`, `not_pending`, `not_holding`, `not_member`, `not_lead`).

A member named in the request body that does not resolve for the caller is a mistake in the body: 400 on
`member`, not 404; a member named in the path that does not resolve is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for
from baodao.lib.api import created, error_responses, named_in_body, validated
from baodao.members.api import MemberSummaryOut
from baodao.members.models import Member
from baodao.members.selectors import member_get_for_user
from baodao.org.api import RefOut
from baodao.org.models import Level, Region
from baodao.org.selectors import region_get

from .models import HOLDING, HolderStatus, Kind, Post, PostHolder, Team, TeamKind, TeamMember
from .selectors import (
    grid_get_for_user,
    grid_leads,
    holders_of,
    holding_of,
    holdings_of_member,
    post_get_for_user,
    posts_visible_to,
    team_get_for_user,
    team_members,
    teams_visible_to,
    with_pending,
)
from .services import (
    MAX_HEADCOUNT,
    REASON_MAX,
    TITLE_MAX,
    grid_lead_designate,
    grid_lead_revoke,
    may_manage_community,
    post_claim,
    post_close,
    post_confirm,
    post_create,
    post_reject,
    post_withdraw,
    team_add_member,
    team_create,
    team_remove_member,
    team_set_leader,
)

_ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


def _member_in_body(request: Request, pk: int) -> Member:
    return named_in_body(
        lambda: member_get_for_user(request.user, pk),
        field="member",
        message=gettext("没有找到该党员。"),
    )


def _community_in_body(code: str) -> Region:
    return named_in_body(
        lambda: region_get(code, level=Level.COMMUNITY),
        field="community",
        message=gettext("没有找到该社区。"),
    )


def _grid_in_body(code: str) -> Region:
    return named_in_body(
        lambda: region_get(code, level=Level.GRID),
        field="grids",
        message=gettext("没有找到网格“%(code)s”。") % {"code": code},
    )


# ---- posts: output -------------------------------------------------------------------------------------


class PostRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    community = RefOut()


class PostOut(serializers.Serializer):
    """A post as lists show it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=Kind.choices, help_text=_("regular 常态服务岗，emergency 应急岗位")
    )
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField(help_text=_("岗位名称"))
    community = RefOut()
    headcount = serializers.IntegerField(help_text=_("设岗人数"))
    taken = serializers.IntegerField(help_text=_("已确认在岗人数"))
    free_places = serializers.IntegerField(help_text=_("剩余名额"))
    duties = serializers.CharField(help_text=_("岗位职责"))
    skills = serializers.ListField(child=serializers.CharField(), help_text=_("所需特长编码"))
    schedule = serializers.CharField(help_text=_("服务时间"))
    grids = serializers.SerializerMethodField(help_text=_("服务网格；空表示全社区"))
    active = serializers.BooleanField(help_text=_("是否在设（撤岗后为 false）"))
    my_status = serializers.SerializerMethodField(
        help_text=_("本人的认领状态（pending 待确认、confirmed 在岗）；未认领为 null")
    )
    pending = serializers.SerializerMethodField(
        help_text=_("待确认的认领数；仅社区管理员可见，其他人为 null")
    )

    @extend_schema_field(RefOut(many=True))
    def get_grids(self, post: Post) -> Any:
        return RefOut(post.grids.all(), many=True).data

    @extend_schema_field(serializers.ChoiceField(choices=HolderStatus.choices, allow_null=True))
    def get_my_status(self, post: Post) -> str | None:
        return getattr(post, "my_status", None)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_pending(self, post: Post) -> int | None:
        request = self.context.get("request")
        if request is None or not may_manage_community(request.user, post.community):
            return None
        return int(getattr(post, "pending", 0))


class HolderOut(serializers.Serializer):
    """A member's claim or holding of a post."""

    id = serializers.IntegerField()
    member = MemberSummaryOut()
    status = serializers.ChoiceField(choices=HolderStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    claimed_at = serializers.DateTimeField(help_text=_("认领时间"))
    decided_at = serializers.DateTimeField(allow_null=True, help_text=_("社区确认或驳回的时间"))
    ended_at = serializers.DateTimeField(allow_null=True, help_text=_("退出岗位的时间"))
    reason = serializers.CharField(help_text=_("驳回或退出的原因"))


class HoldingOut(HolderOut):
    post = PostRefOut()


class PostDetailOut(PostOut):
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True, help_text=_("撤岗时间"))
    close_reason = serializers.CharField(help_text=_("撤岗原因"))
    may_manage = serializers.SerializerMethodField(help_text=_("本人是否可管理该岗位（确认、驳回、撤岗）"))
    my_holding = serializers.SerializerMethodField(help_text=_("本人当前的认领；未认领为 null"))
    holders = serializers.SerializerMethodField(
        help_text=_("全部认领记录（含已退出、未通过）；仅社区管理员可见，其他人为 null")
    )

    def get_may_manage(self, post: Post) -> bool:
        return bool(self.context["may_manage"])

    @extend_schema_field(HolderOut(allow_null=True))
    def get_my_holding(self, post: Post) -> Any:
        mine = self.context["my_holding"]
        return HolderOut(mine, context=self.context).data if mine is not None else None

    @extend_schema_field(HolderOut(many=True, allow_null=True))
    def get_holders(self, post: Post) -> Any:
        if not self.context["may_manage"]:
            return None
        return HolderOut(holders_of(post), many=True, context=self.context).data


def _posts_for(request: Request) -> QuerySet[Post]:
    member_id = scope_for(request.user).member_id
    qs = with_pending(posts_visible_to(request.user)).prefetch_related("grids")
    if member_id is not None:
        mine = PostHolder.objects.filter(post=OuterRef("pk"), member_id=member_id, status__in=HOLDING)
        qs = qs.annotate(my_status=Subquery(mine.values("status")[:1]))
    return qs


def _post_detail(request: Request, pk: Any) -> Any:
    """The post fetched again through the scope (after a change it is the current row)."""
    post = _posts_for(request).filter(pk=pk).first()
    if post is None:
        raise Http404
    context = {
        "request": request,
        "may_manage": may_manage_community(request.user, post.community),
        "my_holding": _holder_loaded(holding_of(scope_for(request.user).member_id, post)),
    }
    return PostDetailOut(post, context=context).data


def _holder_loaded(holder: PostHolder | None) -> PostHolder | None:
    if holder is None:
        return None
    return PostHolder.objects.select_related("post__community", "member__user", "member__unit").get(
        pk=holder.pk
    )


def _holder_out(request: Request, holder: PostHolder) -> Any:
    return HoldingOut(_holder_loaded(holder), context={"request": request}).data


# ---- posts: input --------------------------------------------------------------------------------------


class PostIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Kind.choices, help_text=_("regular 常态服务岗，emergency 应急岗位")
    )
    title = serializers.CharField(max_length=TITLE_MAX, help_text=_("岗位名称"))
    community = serializers.CharField(max_length=32, help_text=_("社区编码"))
    headcount = serializers.IntegerField(min_value=1, max_value=MAX_HEADCOUNT, help_text=_("设岗人数"))
    duties = serializers.CharField(max_length=1000, required=False, allow_blank=True, help_text=_("岗位职责"))
    skills = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text=_("所需特长：编码或名称，见 /api/v1/skills"),
    )
    grids = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        help_text=_("服务网格编码（须为本社区的网格）；不填表示全社区"),
    )
    schedule = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("服务时间")
    )


class PostFilter(serializers.Serializer):
    community = serializers.CharField(required=False, help_text=_("社区编码"))
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true 只看在设岗位；false 只看已撤销的")
    )


class MemberIn(serializers.Serializer):
    member = serializers.IntegerField(help_text=_("党员编号"))


class RejectIn(MemberIn):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("驳回原因（党员可见）"))


class WithdrawIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("退出岗位的原因"))
    member = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("社区管理员将某位党员调离岗位时填其编号；本人退出不填")
    )


class PostCloseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("撤岗原因（通知在岗和待确认的党员）"))


# ---- posts: views --------------------------------------------------------------------------------------


class PostListView(generics.ListAPIView):
    """GET: the posts the caller may see (its communities' posts; a member: those of the community it is
    registered in, and those it holds). POST: a community admin sets a post (按需设岗)."""

    serializer_class = PostOut

    def get_queryset(self) -> QuerySet[Post]:
        params = validated(PostFilter, self.request.query_params)
        qs = _posts_for(self.request)
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("active") is not None:
            qs = qs.filter(active=params["active"])
        return qs.order_by("community__code", "kind", "title", "id")

    @extend_schema(parameters=[PostFilter], responses={200: PostOut(many=True), **error_responses(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=PostIn,
        responses={201: PostDetailOut, **error_responses(400, 401, 403)},
        description=_("社区管理员（及其上级街道、区管理员）在社区按需设岗：常态服务岗或应急岗位。"),
    )
    def post(self, request: Request) -> Response:
        data = validated(PostIn, request.data)
        community = _community_in_body(data.pop("community"))
        grids = [_grid_in_body(code) for code in data.pop("grids", [])]
        post = post_create(actor=request.user, community=community, grids=grids, **data)
        return created(_post_detail(request, post.pk))


class PostDetailView(APIView):
    @extend_schema(responses={200: PostDetailOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_post_detail(request, pk))


class PostClaimView(APIView):
    """A member registered in the post's community claims it: pending until the community confirms. 409
    `already_claimed`, `full`, `illegal_transition` (the post is closed)."""

    @extend_schema(request=None, responses={201: HoldingOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        post = post_get_for_user(request.user, pk)
        holder = post_claim(actor=request.user, post=post)
        return created(_holder_out(request, holder))


class PostConfirmView(APIView):
    """The community confirms a member's pending claim; the member takes a place (409 `full` when none is
    left, `not_pending` without a claim). Confirming again changes nothing."""

    @extend_schema(request=MemberIn, responses={200: HoldingOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        post = post_get_for_user(request.user, pk)
        data = validated(MemberIn, request.data)
        member = _member_in_body(request, data["member"])
        holder = post_confirm(actor=request.user, post=post, member=member)
        return Response(_holder_out(request, holder))


class PostRejectView(APIView):
    """The community turns a pending claim down with a reason the member sees."""

    @extend_schema(request=RejectIn, responses={200: HoldingOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        post = post_get_for_user(request.user, pk)
        data = validated(RejectIn, request.data)
        member = _member_in_body(request, data["member"])
        holder = post_reject(actor=request.user, post=post, member=member, reason=data["reason"])
        return Response(_holder_out(request, holder))


class PostWithdrawView(APIView):
    """退出岗位 with a reason: a member leaves its own post; a community admin takes a holder off it by naming
    `member`. A confirmed holder's place is freed (409 `not_holding` when there is nothing to leave)."""

    @extend_schema(request=WithdrawIn, responses={200: HoldingOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        post = post_get_for_user(request.user, pk)
        data = validated(WithdrawIn, request.data)
        member = _member_in_body(request, data["member"]) if data.get("member") is not None else None
        holder = post_withdraw(actor=request.user, post=post, reason=data["reason"], member=member)
        return Response(_holder_out(request, holder))


class PostCloseView(APIView):
    """撤岗: no more claims; everyone holding or waiting for the post is released and told the reason."""

    @extend_schema(request=PostCloseIn, responses={200: PostDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        post = post_get_for_user(request.user, pk)
        data = validated(PostCloseIn, request.data)
        post_close(actor=request.user, post=post, reason=data["reason"])
        return Response(_post_detail(request, pk))


class MyPostListView(generics.ListAPIView):
    """The caller's claims and holdings of posts, in every status, newest first (empty for a non-member)."""

    serializer_class = HoldingOut

    def get_queryset(self) -> QuerySet[PostHolder]:
        member_id = scope_for(self.request.user).member_id
        if member_id is None:
            return PostHolder.objects.none()
        return (
            holdings_of_member(member_id)
            .select_related("member__user", "member__unit")
            .order_by("-claimed_at", "-id")
        )

    @extend_schema(responses={200: HoldingOut(many=True), **error_responses(401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# ---- teams ---------------------------------------------------------------------------------------------


class TeamOut(serializers.Serializer):
    """A functional party branch (功能型党支部) or a volunteer team (志愿服务队)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=TeamKind.choices, help_text=_("branch 功能型党支部，team 志愿服务队")
    )
    kind_label = serializers.CharField(source="get_kind_display")
    community = RefOut()
    name = serializers.CharField()
    description = serializers.CharField()
    leader = MemberSummaryOut(allow_null=True, help_text=_("书记（党支部）或队长（服务队）；未指定为 null"))
    size = serializers.IntegerField(help_text=_("成员人数"))
    created_at = serializers.DateTimeField()


class TeamMemberOut(serializers.Serializer):
    member = MemberSummaryOut()
    joined_at = serializers.DateTimeField(help_text=_("加入时间"))


class TeamDetailOut(TeamOut):
    may_manage = serializers.SerializerMethodField(help_text=_("本人是否可管理该队伍（成员、书记或队长）"))
    members = serializers.SerializerMethodField(help_text=_("成员，按加入先后"))

    def get_may_manage(self, team: Team) -> bool:
        request = self.context["request"]
        return may_manage_community(request.user, team.community)

    @extend_schema_field(TeamMemberOut(many=True))
    def get_members(self, team: Team) -> Any:
        return TeamMemberOut(team_members(team), many=True, context=self.context).data


class TeamIn(serializers.Serializer):
    community = serializers.CharField(max_length=32, help_text=_("社区编码"))
    kind = serializers.ChoiceField(
        choices=TeamKind.choices, help_text=_("branch 功能型党支部，team 志愿服务队")
    )
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class TeamFilter(serializers.Serializer):
    community = serializers.CharField(required=False, help_text=_("社区编码"))
    kind = serializers.ChoiceField(choices=TeamKind.choices, required=False)


class LeaderIn(serializers.Serializer):
    member = serializers.IntegerField(
        allow_null=True, help_text=_("书记或队长的党员编号（须为队伍成员）；null 表示取消")
    )


def _team_detail(request: Request, pk: Any) -> Any:
    team = team_get_for_user(request.user, pk)
    return TeamDetailOut(team, context={"request": request}).data


class TeamListView(generics.ListAPIView):
    """GET: the branches and teams the caller may see. POST: a community admin forms one."""

    serializer_class = TeamOut

    def get_queryset(self) -> QuerySet[Team]:
        params = validated(TeamFilter, self.request.query_params)
        qs = teams_visible_to(self.request.user)
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        return qs.order_by("community__code", "kind", "name", "id")

    @extend_schema(parameters=[TeamFilter], responses={200: TeamOut(many=True), **error_responses(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=TeamIn, responses={201: TeamDetailOut, **error_responses(400, 401, 403)})
    def post(self, request: Request) -> Response:
        data = validated(TeamIn, request.data)
        community = _community_in_body(data.pop("community"))
        team = team_create(actor=request.user, community=community, **data)
        return created(_team_detail(request, team.pk))


class TeamDetailView(APIView):
    @extend_schema(responses={200: TeamDetailOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_team_detail(request, pk))


class TeamMembersView(APIView):
    """Add a member registered in the team's community; adding it again changes nothing."""

    @extend_schema(request=MemberIn, responses={201: TeamMemberOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        team = team_get_for_user(request.user, pk)
        data = validated(MemberIn, request.data)
        member = _member_in_body(request, data["member"])
        membership = team_add_member(actor=request.user, team=team, member=member)
        membership = TeamMember.objects.select_related("member__user", "member__unit").get(pk=membership.pk)
        return created(TeamMemberOut(membership, context={"request": request}).data)


class TeamMemberView(APIView):
    """Take a member out of the team (and off its leadership). 409 `not_member`."""

    @extend_schema(request=None, responses={204: None, **error_responses(401, 403, 404, 409)})
    def delete(self, request: Request, pk: int, member_id: int) -> Response:
        team = team_get_for_user(request.user, pk)
        member = member_get_for_user(request.user, member_id)
        team_remove_member(actor=request.user, team=team, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamLeaderView(APIView):
    """Name the branch's secretary (书记) or the team's leader (队长) — one of its members — or clear it."""

    @extend_schema(request=LeaderIn, responses={200: TeamDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        team = team_get_for_user(request.user, pk)
        data = validated(LeaderIn, request.data)
        member = _member_in_body(request, data["member"]) if data["member"] is not None else None
        team_set_leader(actor=request.user, team=team, member=member)
        return Response(_team_detail(request, pk))


# ---- lead members of a grid ----------------------------------------------------------------------------


class LeadOut(serializers.Serializer):
    """带头人: a registered member living in the grid whom its worker named."""

    grid = RefOut()
    member = MemberSummaryOut()
    note = serializers.CharField(help_text=_("分工"))
    designated_at = serializers.DateTimeField(help_text=_("指定时间"))


class LeadIn(MemberIn):
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text=_("分工"))


class GridLeadListView(generics.ListAPIView):
    """GET: the grid's lead members. POST: its grid worker (or the community's admin) names one; naming
    the same member again only updates the note."""

    serializer_class = LeadOut

    def get_queryset(self) -> Any:
        grid = grid_get_for_user(self.request.user, self.kwargs["code"])
        return grid_leads(grid).select_related("grid").order_by("designated_at", "id")

    @extend_schema(responses={200: LeadOut(many=True), **error_responses(401, 404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=LeadIn, responses={201: LeadOut, **_ACTION_ERRORS})
    def post(self, request: Request, code: str) -> Response:
        grid = grid_get_for_user(request.user, code)
        data = validated(LeadIn, request.data)
        member = _member_in_body(request, data["member"])
        lead = grid_lead_designate(actor=request.user, grid=grid, member=member, note=data.get("note", ""))
        lead = grid_leads(grid).select_related("grid").get(pk=lead.pk)
        return created(LeadOut(lead, context={"request": request}).data)


class GridLeadView(APIView):
    """Revoke a lead member of the grid. 409 `not_lead`."""

    @extend_schema(request=None, responses={204: None, **error_responses(401, 403, 404, 409)})
    def delete(self, request: Request, code: str, member_id: int) -> Response:
        grid = grid_get_for_user(request.user, code)
        member = member_get_for_user(request.user, member_id)
        grid_lead_revoke(actor=request.user, grid=grid, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)
