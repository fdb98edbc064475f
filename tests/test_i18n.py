"""All user-facing text goes through Django's translation machinery (STYLE.md, practice 10).

Chinese text in the code is a message for people. In Python it must be the argument of a gettext call; in a
template it must sit inside `{% translate %}`, `{% blocktranslate %}` or a `_("…")` literal. Docstrings,
comments, migrations and the demo data (baodao/demo: names, pledges, places) are not messages.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.template.base import Lexer, TokenType
from django.utils import translation

from baodao.accounts.models import Role

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "baodao"
NOT_MESSAGES = (PACKAGE / "demo",)

#: CJK ideographs, CJK punctuation (、。「」) and full-width forms (，：（）).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
GETTEXT_CALLS = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
    }
)

#: (file, string) -> why it is not translated. Keep this short: almost everything belongs in a catalogue.
ALLOWED = {
    ("baodao/lib/api.py", "是"): "accepted spelling of true in a query parameter: input, not output",
    ("baodao/lib/api.py", "否"): "accepted spelling of false in a query parameter: input, not output",
    ("baodao/web/forms.py", r"[,，、;；\s]+"): "separators accepted when splitting typed tags: input",
}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _sources(pattern: str) -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob(pattern)):
        if "migrations" in path.parts or any(path.is_relative_to(p) for p in NOT_MESSAGES):
            continue
        yield path


# ---- Python ---------------------------------------------------------------------------------------------


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):  # translation.gettext(...)
        return node.func.attr
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


class _Untranslated(ast.NodeVisitor):
    """Collects (line, text) of string constants with Chinese outside any gettext call's arguments."""

    def __init__(self, docstrings: set[int]):
        self.docstrings = docstrings
        self.found: list[tuple[int, str]] = []

    def visit_Call(self, node: ast.Call) -> None:
        if _call_name(node) in GETTEXT_CALLS:
            self.visit(node.func)  # `_("…").join(…)`: only the arguments are translated
            return
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if CJK.search(text):
            self.found.append((node.lineno, ast.unparse(node)))
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and CJK.search(node.value) and id(node) not in self.docstrings:
            self.found.append((node.lineno, node.value))


def python_findings() -> list[tuple[str, int, str]]:
    findings = []
    for path in _sources("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        visitor = _Untranslated(_docstrings(tree))
        visitor.visit(tree)
        findings += [(_relative(path), line, text) for line, text in visitor.found]
    return findings


# ---- templates ------------------------------------------------------------------------------------------

_TRANSLATED_LITERAL = re.compile(r"""_\(\s*(?:"[^"]*"|'[^']*')\s*\)""")


def _untranslated_in_template(source: str) -> list[tuple[int, str]]:
    """(line, text) of Chinese outside translate tags, `_("…")` literals and comments."""
    found = []
    in_block_translate = in_comment = False
    for token in Lexer(source).tokenize():
        first_word = token.contents.split(" ", 1)[0] if token.token_type == TokenType.BLOCK else ""
        if first_word == "comment":
            in_comment = True
        elif first_word == "endcomment":
            in_comment = False
        elif first_word in ("blocktranslate", "blocktrans"):
            in_block_translate = True
        elif first_word in ("endblocktranslate", "endblocktrans"):
            in_block_translate = False
        if in_comment or in_block_translate or token.token_type == TokenType.COMMENT:
            continue
        if first_word in ("translate", "trans"):
            continue
        text = _TRANSLATED_LITERAL.sub("", token.contents)
        for offset, line in enumerate(text.split("\n")):
            if CJK.search(line):
                found.append((token.lineno + offset, line.strip()))
    return found


def template_findings() -> list[tuple[str, int, str]]:
    findings = []
    for path in _sources("*"):
        if path.is_file() and "templates" in path.relative_to(PACKAGE).parts:
            source = path.read_text(encoding="utf-8")
            findings += [(_relative(path), line, text) for line, text in _untranslated_in_template(source)]
    return findings


# ---- the tests ------------------------------------------------------------------------------------------


def _report(findings: list[tuple[str, int, str]]) -> str:
    lines = [f"  {path}:{line}: {text!r}" for path, line, text in findings]
    return "Chinese text outside Django's translation machinery (wrap it, see STYLE.md 10):\n" + "\n".join(
        lines
    )


def test_it_finds_no_untranslated_text_in_python():
    findings = [f for f in python_findings() if (f[0], f[2]) not in ALLOWED]
    assert not findings, _report(findings)


def test_it_finds_no_untranslated_text_in_templates():
    findings = template_findings()
    assert not findings, _report(findings)


def test_it_allows_only_strings_that_still_exist():
    present = {(path, text) for path, _, text in python_findings()}
    stale = sorted(set(ALLOWED) - present)
    assert not stale, f"remove these from ALLOWED, they are gone: {stale}"


def test_it_finds_untranslated_python_strings():
    source = 'def f():\n    """文档。"""\n    x = "未翻译"\n    return _("已翻译"), f"共{x}个"\n'
    tree = ast.parse(source)
    visitor = _Untranslated(_docstrings(tree))
    visitor.visit(tree)
    assert visitor.found == [(3, "未翻译"), (4, "f'共{x}个'")]


def test_it_finds_untranslated_template_text():
    source = (
        '{% load i18n %}{# 注释 #}<h1>{% translate "标题" %}</h1>\n'
        "{% blocktranslate with n=x %}共{{ n }}条{% endblocktranslate %}\n"
        '<p title="提示">{{ v|default:_("未填写") }}</p>\n'
        '{% comment %}说明{% endcomment %}{{ v|default:"无" }}'
    )
    assert _untranslated_in_template(source) == [(3, '<p title="提示">'), (4, 'v|default:"无"')]


def test_it_shows_a_message_as_written_while_it_has_no_catalogue_entry(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override(settings.LANGUAGE_CODE):
        # Django's own Chinese catalogue is active; ours has no entries, so the source text is shown.
        assert translation.gettext("This field is required.") == "该字段是必填项。"
        assert translation.gettext("您没有执行此操作的权限。") == "您没有执行此操作的权限。"
        assert translation.ngettext("共 %(n)d 条", "共 %(n)d 条", 2) % {"n": 2} == "共 2 条"
        assert str(Role.MEMBER.label) == "在职党员"
