"""Fetch the front-end assets the pages use (Apache ECharts) at set-up time, so the site needs no CDN.

Run by `make install` (and so by `make run`, `make test`, `make bench`). The npm client fetches the package by
name and exact version from whatever registry it is configured with; the tarball's sha512 integrity is pinned
here and checked before anything is extracted, and so is the checksum of each file kept. Only the minified
build and its licence files are kept, under baodao/web/static/vendor/echarts/ (not in git), where the
application serves them itself (WhiteNoise). Does nothing when the files are already there and intact.
Exits non-zero with a plain message when npm is missing or a checksum does not match.

To move to another version: `npm view echarts@<version> dist.integrity`, then fetch it once and put the new
figures below (the script prints the checksum of each file it keeps).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "baodao" / "web" / "static" / "vendor" / "echarts"

PACKAGE = "echarts"
VERSION = "6.1.0"
#: the npm tarball's integrity (sha512, base64), as `npm view echarts@6.1.0 dist.integrity` gives it
INTEGRITY = "sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
#: member of the tarball → (file name kept, its sha256)
FILES = {
    "package/dist/echarts.min.js": (
        "echarts.min.js",
        "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0",
    ),
    "package/LICENSE": ("LICENSE", "634293835b43a6dd2094fa39182a3d9a6b9ca43b7fdb9ac354e8037af2a3093a"),
    "package/NOTICE": ("NOTICE", "d491d358344f842685c1b1585970999db65fe30ecf7ef3867af8814f4016c016"),
}
NPM_TIMEOUT = 600


class FetchError(Exception):
    """A plain reason why the assets could not be fetched."""


def say(message: str) -> None:
    print(f"[assets] {message}", flush=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def intact(dest: Path) -> bool:
    """Every file is there with its pinned checksum."""
    for name, digest in FILES.values():
        path = dest / name
        if not path.is_file() or sha256(path.read_bytes()) != digest:
            return False
    return True


def npm_pack(npm: str, spec: str, into: Path) -> Path:
    """`npm pack <name>@<version>` into a folder; the path of the tarball."""
    try:
        # A fixed argument list (the npm found on PATH and a pinned name@version), no shell.
        result = subprocess.run(  # noqa: S603
            # the destination named (a user's npmrc may set another), and npm's cache used when it has the
            # package (a re-run offline)
            [npm, "pack", spec, "--silent", "--prefer-offline", "--pack-destination", str(into)],
            cwd=into,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise FetchError(
            f"npm pack {spec} 超时（{NPM_TIMEOUT} 秒）。请检查 npm 的软件源配置与网络。"
        ) from None
    tarballs = sorted(into.glob("*.tgz"))
    if result.returncode != 0 or not tarballs:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise FetchError(
            f"npm pack {spec} 失败（退出码 {result.returncode}）。请检查 npm 的软件源配置与网络。\n{tail}"
        )
    return tarballs[0]


def extract(tarball: Path, dest: Path) -> None:
    """Check the tarball's integrity, then keep only the pinned files, each checked before it is written."""
    data = tarball.read_bytes()
    found = integrity_of(data)
    if found != INTEGRITY:
        raise FetchError(
            f"{PACKAGE}@{VERSION} 的完整性校验失败：应为 {INTEGRITY}，实为 {found}。"
            "文件可能被篡改或软件源有误，已停止，未解压任何文件。"
        )
    kept: dict[str, bytes] = {}
    with tarfile.open(tarball, mode="r:gz") as archive:
        for member_name, (name, digest) in FILES.items():
            try:
                member = archive.getmember(member_name)
            except KeyError:
                raise FetchError(f"{PACKAGE}@{VERSION} 的软件包里没有 {member_name}。") from None
            stream = archive.extractfile(member) if member.isfile() else None
            if stream is None:
                raise FetchError(f"{PACKAGE}@{VERSION} 的软件包里 {member_name} 不是普通文件。")
            content = stream.read()
            if sha256(content) != digest:
                raise FetchError(f"{member_name} 的校验和不符：应为 {digest}，实为 {sha256(content)}。")
            kept[name] = content
    dest.mkdir(parents=True, exist_ok=True)
    for leftover in dest.glob(".*.part"):  # an interrupted earlier run
        leftover.unlink()
    for name, content in kept.items():
        partial = dest / f".{name}.part"
        partial.write_bytes(content)
        os.replace(partial, dest / name)


def fetch(dest: Path | None = None) -> bool:
    """Make sure the assets are in `dest` (DEST); True when they were fetched, False when already there."""
    dest = dest or DEST
    if intact(dest):
        return False
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            f"没有找到 npm：需要用 npm 从软件源获取 {PACKAGE}@{VERSION}（图表库）。"
            "请先安装 Node.js 与 npm（例如 apt-get install npm），再运行 make。"
        )
    with tempfile.TemporaryDirectory(prefix="baodao-assets-") as tmp:
        extract(npm_pack(npm, f"{PACKAGE}@{VERSION}", Path(tmp)), dest)
    return True


def main() -> int:
    try:
        fetched = fetch()
    except FetchError as exc:
        say(f"错误 / error: {exc}")
        return 1
    where = DEST.relative_to(ROOT)
    if fetched:
        say(f"已获取并校验 {PACKAGE}@{VERSION} → {where}/")
    else:
        say(f"{PACKAGE}@{VERSION} 已就绪（校验和相符）：{where}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
