"""The app starts, signed in, when a form, the court facts file (dates and deadlines), the rights path explainer and a
rights topic are hostile (alias bomb, nesting of 30,000, huge number): each is reported, the rest
works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from app.core.resources import resource_root
from tests.core.test_bounded_yaml import HOSTILE


def _hostile_resources(root: Path) -> Path:
    real = resource_root()
    copy = root / "resources"
    copy.mkdir()
    for name in ("locales",):
        (copy / name).symlink_to(real / name, target_is_directory=True)
    shutil.copytree(real / "forms", copy / "forms")
    (copy / "forms" / "zz_bomb.yaml").write_text(HOSTILE["alias bomb"], encoding="utf-8")
    (copy / "forms" / "zz_deep.yaml").write_text(HOSTILE["flow nesting of 30,000"])
    (copy / "assets").mkdir()
    for item in (real / "assets").iterdir():
        if item.name not in ("rights", "court.yaml"):
            (copy / "assets" / item.name).symlink_to(item, target_is_directory=item.is_dir())
    shutil.copytree(real / "assets" / "rights", copy / "assets" / "rights")
    (copy / "assets" / "rights" / "path_explainer.yaml").write_text(
        HOSTILE["block nesting of 30,000"], encoding="utf-8"
    )
    (copy / "assets" / "court.yaml").write_text(HOSTILE["huge integer"], encoding="utf-8")
    return copy


def test_the_app_starts_with_hostile_local_files(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "VSS_OUTREACH_HOME": str(tmp_path / "home"),
        "VSS_OUTREACH_FAST_KDF": "1",
        "VSS_OUTREACH_RESOURCES": str(_hostile_resources(tmp_path)),
        "VSS_OUTREACH_PASSWORD": "rice fields at dawn",
    }

    def start(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.main", "--user", "admin", *extra],
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        )

    made = start("setup", "--name", "Admin", "--device", "Laptop 1")
    assert made.returncode == 0, made.stderr
    shot = tmp_path / "main.png"
    started = start("--quit-after-start", "--screenshot", str(shot))
    assert started.returncode == 0, started.stderr
    assert shot.stat().st_size > 10_000
    assert "Traceback" not in started.stderr and "RecursionError" not in started.stderr
