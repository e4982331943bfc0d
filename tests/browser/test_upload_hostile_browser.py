"""Chromium: a file of 400 bad rows shows the total and the first 200 errors (not a traceback), at
1180×820 and 820×1180."""
import pytest

from tests.browser.conftest import goto_page, sign_in, wait_app_idle
from tools import hostile_files as H

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)])
def test_many_errors_show_the_total_and_the_first_200(app_server, browser_page, size):
    rp = browser_page(*size)
    sign_in(rp, app_server, "office")
    goto_page(rp, app_server, "data-upload")
    page = rp.page
    page.locator(".st-key-upload_file input[type=file]").set_input_files(
        files=[{"name": "坏文件.csv", "mimeType": "text/csv", "buffer": H.csv_many_rows(rows=400)}])
    page.wait_for_selector("text=仅列出前 200 处", timeout=120000)
    wait_app_idle(page)
    rp.screenshot(f"upload_errors_total_{size[0]}x{size[1]}")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "处错误" in text and "Traceback" not in text
