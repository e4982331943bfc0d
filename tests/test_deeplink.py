"""AppTest: a link to an inner page opened signed out (issue 14 item 5 follow-up).

The signed-out run registers every page under its real url path (app.py _nav_sections(None)), so the
page a link names is known before sign-in and shows nothing of itself before it. The browser side (no
"Page not found" dialog, tap sign-in, landing on the named page) is tests/browser/test_deeplink_browser.py.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import APP, PASSWORD, TIMEOUT, demo_store  # noqa: F401  (the module's store)

pytestmark = pytest.mark.slow

# Every page but pipeline.py: its url path is its file name, and every AppTest run is judged in
# Streamlit's legacy pages/-folder mode (AppTest resets it before each run), which then runs
# pages/pipeline.py by itself ("请先登录。", no form). A served app leaves that mode in its warm-up run
# (tools/warm_up.py), before any browser comes.
INNER = ["pages/overview.py", "pages/map.py", "pages/league.py", "pages/outputs.py",
         "pages/project_list.py", "pages/project_file.py", "pages/problems.py",
         "pages/upload.py", "pages/quality.py", "pages/admin.py", "pages/audit.py"]


def _signed_out_on(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="login_user")
    at.switch_page(page).run()  # raises ValueError when the signed-out run did not register the page
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="login_user")  # still the sign-in form, and nothing of the page
    assert "actor" not in at.session_state
    return at


def _sign_in(at: AppTest, user: str) -> AppTest:
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_named_while_signed_out_shows_the_sign_in_form(demo_store):  # noqa: F811
    """Every page is registered by the signed-out run (AppTest's switch_page finds it by its url path)
    and runs the frame's sign-in form, not the page file by itself (Streamlit's legacy pages/ mode)."""
    for page in INNER:
        _signed_out_on(page)


def test_signing_in_after_a_deep_link_signs_in(demo_store):  # noqa: F811
    """The form of a deep-linked sign-in page signs in (nothing typed is lost). Where it lands is the
    browser test's to show: AppTest starts every run in Streamlit's legacy pages/-folder mode, whose
    sign-in rerun knows only app.py's own page and so always opens the cockpit."""
    at = _sign_in(_signed_out_on("pages/map.py"), "leader")
    assert at.session_state["actor"].username == "leader"
    assert "login_user" not in [w.key for w in at.text_input]
    assert any(m.value.startswith("## ") for m in at.markdown)
