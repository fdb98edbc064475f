"""The cast and posts for the tests of the posts, teams and lead-member pages (test_posts_*.py,
test_teams_*.py, test_grid_leads.py): the standard world with 李明 (C1G1) and 赵强 (C1G2) registered in C1,
whose community admin sets the posts."""

from __future__ import annotations

from typing import Any

from baodao.posts.models import Kind, Post, PostHolder
from baodao.posts.services import post_create
from tests.mobilizations.helpers import Cast, cast_of, hold, member_in

__all__ = ["Cast", "cast_of", "hold", "holder_status", "member_in", "post"]


def post(
    c: Cast, title: str = "政策宣传", *, kind: str = Kind.REGULAR, headcount: int = 3, **kw: Any
) -> Post:
    """A post of C1, set by its community admin."""
    return post_create(actor=c.admin, community=c.r("C1"), kind=kind, title=title, headcount=headcount, **kw)


def holder_status(post: Post, member: Any) -> str | None:
    """The member's latest claim of the post, or None."""
    holder = PostHolder.objects.filter(post=post, member=member).order_by("-id").first()
    return holder.status if holder else None
