"""`manage.py take_screenshots` (issue 6 item 7) makes a PNG of each main staff page."""

import subprocess
import sys

import pytest
from django.conf import settings
from PIL import Image

pytestmark = pytest.mark.browser

PAGES = ("login", "databases", "profile-list", "profile-page", "profile-tracked-tab",
         "tab-settings", "quick-search")  # fmt: skip


def test_take_screenshots_writes_every_page(tmp_path):
    # when: in its own process, as an admin runs it (its throwaway database is its own)
    command = ["manage.py", "take_screenshots", "--out", str(tmp_path), "--profiles", "8"]
    result = subprocess.run(
        [sys.executable, *command], cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    # then
    assert result.returncode == 0, result.stderr[-3000:]
    for name in PAGES:
        with Image.open(tmp_path / f"{name}.png") as image:
            assert image.width == 1280 and image.height >= 860
