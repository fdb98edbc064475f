"""Make sure Debian's headless Chromium is there for the browser tests (`make e2e`).

Installs the `chromium` package with apt-get when it is missing and we may (root, apt-get present).
Never downloads a browser build of its own: Playwright drives the system Chromium. When no browser can be
installed it says so plainly and exits 0; the browser test then fails with the same plain message, so it is
never skipped silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def say(message: str) -> None:
    print(f"[e2e] {message}", flush=True)


def run(command: list[str]) -> bool:
    say("运行 / running: " + " ".join(command))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # A fixed argument list from this file, no shell.
    result = subprocess.run(  # noqa: S603
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        say(f"失败 / failed (exit {result.returncode}):\n{tail}")
        return False
    return True


def main() -> int:
    if os.path.exists(CHROMIUM):
        say(f"已有浏览器 / browser present: {CHROMIUM}")
        return 0
    apt_get = shutil.which("apt-get")
    if apt_get is None or os.geteuid() != 0:
        why = "没有 apt-get / no apt-get" if apt_get is None else "不是 root / not root"
        say(f"无法安装浏览器（{why}）：{CHROMIUM} 不存在，浏览器测试将失败并说明原因。")
        say(f"No browser can be installed ({why}): {CHROMIUM} is missing; the browser test will say so.")
        return 0
    say("正在从 Debian 软件源安装 chromium / installing chromium from Debian's packages …")
    if run([apt_get, "update", "-qq"]) and run(
        [apt_get, "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-noto-cjk"]
    ):
        say(f"已安装 / installed: {CHROMIUM}")
        return 0
    say(f"无法安装浏览器：{CHROMIUM} 不存在，浏览器测试将失败并说明原因。")
    say(f"No browser could be installed: {CHROMIUM} is missing; the browser test will say so.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
