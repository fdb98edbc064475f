"""A small emergency for the pages' tests: 李明 (C1G1) and 赵强 (C1G2) hold 物资配送 in C1, an emergency
over C1 needs it, and the call has gone out (as the worker would run it)."""

from __future__ import annotations

from dataclasses import dataclass

from baodao.mobilizations.models import Mobilization
from baodao.posts.models import Post
from tests.mobilizations.helpers import Cast, activate, cast_of, emergency_post, hold


@dataclass
class Scene:
    c: Cast
    post: Post
    mobilization: Mobilization


def scene(w, **kw) -> Scene:
    c = cast_of(w)
    post = emergency_post(c, "物资配送")
    hold(c, post, c.member)
    hold(c, post, c.helper)
    mobilization = activate(c, posts=[(post, 2)], title="暴雨防汛", **kw)
    return Scene(c=c, post=post, mobilization=mobilization)
