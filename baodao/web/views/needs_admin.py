"""Pages of the 三单制 for the community, grid workers, streets and districts, and the public board.

Not written yet: every page answers 404 until it is.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


community_needs = community_needs_export = community_needs_vetting = community_need_new = _todo
community_records = record_reverse = grid_needs = need_stats = community_board = _todo
