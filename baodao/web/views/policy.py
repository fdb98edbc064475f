"""A district's policy (政策参数): the rules in force in plain words, the upcoming change, the history, and
for the district's admin the form that sets a new version from a date."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.lib.errors import DomainError, Forbidden
from baodao.org.models import Region
from baodao.policy.selectors import policy_districts_for, policy_history, policy_in_force, policy_upcoming
from baodao.policy.services import may_set_policy, policy_set

from ..policy_forms import PolicyForm
from .common import forbidden


def _district_for(request: HttpRequest, code: str) -> Region:
    try:
        return policy_districts_for(request.user).get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该区。")) from None


@login_required
def district_policy(request: HttpRequest, code: str) -> HttpResponse:
    district = _district_for(request, code)
    today = timezone.localdate()
    policy = policy_in_force(district.code, on=today)
    may_edit = may_set_policy(request.user, district)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied(_("只有本区的区委组织部管理员可以修改政策。"))
    initial = {"effective_from": today + timedelta(days=1), **PolicyForm.initial_from(policy)}
    form = PolicyForm(request.POST or None, initial=initial) if may_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            saved = policy_set(actor=request.user, district=district, request=request, **form.cleaned_data)
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("已保存本区政策，自 %(date)s 起执行。") % {"date": saved.effective_from.isoformat()},
            )
            return redirect("web:district_policy", district.code)
    ctx = {
        "district": district,
        "policy": policy,
        "upcoming": list(policy_upcoming(district, today=today)),
        "history": list(policy_history(district, today=today)),
        "form": form,
    }
    return render(request, "web/policy_district.html", ctx)
