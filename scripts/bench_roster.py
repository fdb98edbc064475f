"""Roster import benchmarks (issue: ≥ 10,000 rows a second end to end, peak memory < 500 MB).

A generated district (10 streets, 300 communities, 3,000 grids) and a roster of `--rows` people (100,000 by
default) as .xlsx and as .csv: realistic names, unique phone numbers (some typed as numbers, as Excel
does), about 30% with a valid ID number, twenty branches, community by name or by code, grid by name,
addresses, zero to three skills. Measured, each in its own process:

- the baselines: reading the workbook (python-calamine, every row, no checks) and the CSV (csv module);
- the dry run of the workbook: upload checks, encryption of the stored file, reading in the sandboxed
  reader, every rule, the lookups — nothing written;
- the commit of the workbook into an empty unit: the same, plus creating 100,000 accounts, grants and
  member profiles in one transaction;
- the same workbook again: every row unchanged, nothing written;
- the commit of the CSV into a second empty unit.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from typing import Any

from bench import Context, Step

SEED = 20260101
DISTRICT = ("BD", "滨江区")
STREETS = 10
COMMUNITIES_PER_STREET = 30
GRIDS_PER_COMMUNITY = 10
UNIT_XLSX = "BENCH-X"
UNIT_CSV = "BENCH-C"
ADMIN_PHONE = "13300000001"
HEADER = ["姓名", "手机号", "身份证号", "所在支部", "居住社区", "网格", "住址", "特长", "备注"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯俊鹏飞云峰志海东亮"
PLACE_WORDS = "幸福和平阳光长青春晖锦绣明珠江景滨河丽园翠湖金桥银杏桂花海棠紫荆红星光明新华东风团结友谊"
SKILL_LABELS = [
    "组织建设",
    "法律咨询",
    "助困扶残",
    "社区治理",
    "健康医疗",
    "文化体育",
    "治安巡逻",
    "教育辅导",
    "环境整治",
    "心理疏导",
    "维修技能",
    "信息技术",
]


def _communities() -> list[tuple[str, str, str, str]]:
    """(street code, street name, community code, community name), unique names in the district."""
    rng = random.Random(SEED)
    words = list(PLACE_WORDS)
    names: set[str] = set()
    out = []
    for s in range(1, STREETS + 1):
        for c in range(1, COMMUNITIES_PER_STREET + 1):
            while True:
                name = "".join(rng.sample(words, 2)) + "社区"
                if name not in names:
                    names.add(name)
                    break
            out.append((f"BS{s:02d}", f"{words[s]}街道", f"BS{s:02d}C{c:02d}", name))
    return out


def _id_number(index: int) -> str:
    from baodao.lib.idnumber import check_digit

    born = date(1960, 1, 1) + timedelta(days=index % 14_000)
    first17 = f"440106{born:%Y%m%d}{index // 14_000:03d}"
    return first17 + check_digit(first17)


def _people(count: int, prefix: str, seed: int, id_offset: int) -> list[list[Any]]:
    rng = random.Random(seed)
    communities = _communities()
    tails = rng.sample(range(10**8), count)
    ids = rng.sample(range(id_offset, id_offset + count * 3), count)
    rows = []
    for i in range(count):
        _street, _street_name, code, name = rng.choice(communities)
        phone: Any = f"{prefix}{tails[i]:08d}"
        if rng.random() < 0.3:
            phone = int(phone)  # typed as a number, as Excel keeps it
        skills = "、".join(rng.sample(SKILL_LABELS, rng.choice((0, 1, 1, 2, 3))))
        rows.append(
            [
                rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                phone,
                _id_number(ids[i]) if rng.random() < 0.3 else "",
                f"第{rng.randint(1, 20)}党支部",
                code if rng.random() < 0.3 else name,
                f"第{rng.randint(1, GRIDS_PER_COMMUNITY)}网格",
                f"{rng.randint(1, 40)}栋{rng.randint(1, 4)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}",
                skills,
                "转入" if rng.random() < 0.1 else "",
            ]
        )
    return rows


# ---- steps --------------------------------------------------------------------------------------------


def generate(ctx: Context) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("党员名册")
    sheet.append(HEADER)
    for person in _people(ctx.rows, "135", SEED, 0):
        sheet.append(person)
    book.save(ctx.workdir / "roster.xlsx")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_people(ctx.rows, "136", SEED + 1, ctx.rows * 3))
    (ctx.workdir / "roster.csv").write_bytes(out.getvalue().encode("utf-8-sig"))
    return ctx.rows


def setup(ctx: Context) -> int:
    from django.core.management import call_command

    from baodao.accounts.models import Grant, Role, User
    from baodao.org.models import Level, Region
    from baodao.org.services import region_create, unit_create

    call_command("migrate", verbosity=0)
    district = region_create(
        actor=None, code=DISTRICT[0], name=DISTRICT[1], level=Level.DISTRICT, parent=None
    )
    streets: dict[str, Region] = {}
    communities = []
    for street_code, street_name, code, name in _communities():
        if street_code not in streets:
            streets[street_code] = region_create(
                actor=None, code=street_code, name=street_name, level=Level.STREET, parent=district
            )
        street = streets[street_code]
        communities.append(
            Region(code=code, name=name, level=Level.COMMUNITY, parent=street, path=f"{street.path}{code}/")
        )
    Region.objects.bulk_create(communities)
    Region.objects.bulk_create(
        [
            Region(
                code=f"{c.code}G{g:02d}",
                name=f"第{g}网格",
                level=Level.GRID,
                parent=c,
                path=f"{c.path}{c.code}G{g:02d}/",
            )
            for c in communities
            for g in range(1, GRIDS_PER_COMMUNITY + 1)
        ]
    )
    admin = User.objects.create_user(phone=ADMIN_PHONE, name="滨江区组织部")
    Grant.objects.create(user=admin, role=Role.DISTRICT_ADMIN, region=district)
    for code in (UNIT_XLSX, UNIT_CSV):
        unit_create(actor=None, code=code, name=f"{code}单位", region=district)
    return 0


def _read_file(name: str) -> Any:
    def prepare(ctx: Context) -> bytes:
        return (ctx.workdir / name).read_bytes()

    return prepare


def read_xlsx(ctx: Context) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_object(io.BytesIO(ctx.prepared))
    return sum(1 for _ in book.get_sheet_by_index(0).iter_rows()) - 1


def read_csv(ctx: Context) -> int:
    text = ctx.prepared.decode("utf-8-sig")
    return sum(1 for _ in csv.reader(io.StringIO(text))) - 1


def _import(unit_code: str, filename: str, *, commit: bool, expect: str) -> Any:
    def run(ctx: Context) -> int:
        from baodao.accounts.models import User
        from baodao.org.models import Unit
        from baodao.roster.services import roster_commit, roster_upload, roster_validate

        actor = User.objects.get(phone=ADMIN_PHONE)
        unit = Unit.objects.select_related("region").get(code=unit_code)
        imp = roster_upload(actor=actor, unit=unit, filename=filename, content=ctx.prepared)
        if commit:
            roster_commit(actor=actor, roster_import=imp)
        else:
            roster_validate(actor=actor, roster_import=imp)
        counts = {"created": imp.created, "unchanged": imp.unchanged}
        if imp.rows != ctx.rows or counts[expect] != ctx.rows or imp.invalid:
            raise SystemExit(f"unexpected result: {imp.summary()!r:.500}")
        return imp.rows

    return run


STEPS = [
    Step("roster-generate", "generate roster files", generate, generate=True),
    Step("roster-setup", "district and units", setup, setup=True),
    Step(
        "roster-read-xlsx", "roster: read xlsx only (baseline)", read_xlsx, prepare=_read_file("roster.xlsx")
    ),
    Step("roster-read-csv", "roster: read csv only (baseline)", read_csv, prepare=_read_file("roster.csv")),
    Step(
        "roster-dry-run",
        "roster: dry run xlsx",
        _import(UNIT_XLSX, "roster.xlsx", commit=False, expect="created"),
        prepare=_read_file("roster.xlsx"),
        baseline="roster-read-xlsx",
        target=10_000,
    ),
    Step(
        "roster-commit",
        "roster: commit xlsx into an empty unit",
        _import(UNIT_XLSX, "roster.xlsx", commit=True, expect="created"),
        prepare=_read_file("roster.xlsx"),
        baseline="roster-read-xlsx",
        target=10_000,
    ),
    Step(
        "roster-reupload",
        "roster: same xlsx again (all unchanged)",
        _import(UNIT_XLSX, "roster.xlsx", commit=True, expect="unchanged"),
        prepare=_read_file("roster.xlsx"),
        baseline="roster-read-xlsx",
        target=10_000,
    ),
    Step(
        "roster-commit-csv",
        "roster: commit csv into an empty unit",
        _import(UNIT_CSV, "roster.csv", commit=True, expect="created"),
        prepare=_read_file("roster.csv"),
        baseline="roster-read-csv",
        target=10_000,
    ),
]
