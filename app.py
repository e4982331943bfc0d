"""攻坚驾驶舱 — the app frame: store check, sign-in, shared filters, navigation.

Run with ``streamlit run app.py`` (or ``make run``). Pages live in pages/ and read through lib/.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(page_title="攻坚驾驶舱", layout="wide", initial_sidebar_state="auto")

from lib import access  # noqa: E402
from lib.errors import CockpitError, StoreError  # noqa: E402
from lib.i18n import enum_label, t  # noqa: E402
from lib.periods import fmt_period  # noqa: E402
from lib.store import get_engine, require_current, session_scope  # noqa: E402
from pages import _cache, _frame  # noqa: E402

TOKEN_PARAM = "s"
LANGS = ("zh", "en")

_frame.inject_css()
_frame.collect_garbage_now_and_then()  # instead of a full collection after every run

# --- the store ---------------------------------------------------------------------------------------
try:
    engine = require_current(get_engine())
except StoreError as exc:
    if exc.key != "err_store_unreachable":  # missing, not initialised, old schema: needs an operator
        st.error(exc.text(st.session_state.get("lang", "zh")))
        st.caption(t("store_error_fix", st.session_state.get("lang", "zh")))
        st.stop()
    _frame.store_unavailable(exc, st.session_state.get("lang", "zh"))  # down or locked: retries by itself


def _keep(widget_key: str, state_key: str, default):
    """Widget state is dropped on a page change; seed the widget from the kept value."""
    if widget_key not in st.session_state:
        st.session_state[widget_key] = st.session_state.get(state_key, default)


# --- language (also on the sign-in screen) --------------------------------------------------------------
_keep("lang_select", "lang", "zh")
if st.session_state["lang_select"] not in LANGS:
    st.session_state["lang_select"] = "zh"
lang = st.sidebar.radio(
    t("language", st.session_state["lang_select"]), LANGS, key="lang_select", horizontal=True,
    format_func=lambda v: t("lang_" + v, v),
)
st.session_state["lang"] = lang


# --- the pages ---------------------------------------------------------------------------------------------
# URL paths differ from the file names on purpose: with a pages/ folder beside app.py, Streamlit's
# legacy multipage mode (active for the first run of a process, and for every AppTest run) would
# otherwise serve pages/<name>.py directly, skipping this frame and its sign-in.
PAGES = [
    # (section, file, url path, title key, permission, default)
    ("sec_cockpit", "overview.py", "cockpit", "page_overview", "read", True),
    ("sec_cockpit", "map.py", "project-map", "page_map", "read", False),
    ("sec_cockpit", "league.py", "ranking", "page_league", "read", False),
    ("sec_cockpit", "outputs.py", "briefing", "page_outputs", "read", False),
    ("sec_projects", "project_list.py", "light-list", "page_project_list", "read", False),
    ("sec_projects", "project_file.py", "project-file", "page_project_file", "read", False),
    ("sec_projects", "pipeline.py", "pipeline", "page_pipeline", "read", False),
    ("sec_problems", "problems.py", "problem-list", "page_problems", "read", False),
    ("sec_data", "upload.py", "data-upload", "page_upload", "upload", False),
    ("sec_data", "quality.py", "data-quality", "page_quality", "quality_read", False),
    ("sec_admin", "admin.py", "accounts", "page_admin", ("accounts", "unlock"), False),
    ("sec_admin", "audit.py", "audit-log", "page_audit", "audit_read", False),
]


def _nav_sections(actor) -> dict[str, list]:
    """The pages that exist, by section: those the actor may see, or every one for None (signed out).
    A page's identity for Streamlit is its url path (the page hash is a hash of it), so the pages
    registered while signed out are the very pages the signed-in menu has."""
    sections: dict[str, list] = {}
    for section, filename, url_path, title_key, perm, default in PAGES:
        path = ROOT / "pages" / filename
        perms = perm if isinstance(perm, tuple) else (perm,)
        if not path.exists() or (actor is not None and not any(access.can(actor, p) for p in perms)):
            continue
        sections.setdefault(t(section, lang), []).append(
            st.Page(str(path), title=t(title_key, lang), url_path=url_path, default=default)
        )
    return sections


# --- who is signed in -----------------------------------------------------------------------------------
def _client_address() -> str | None:
    """The address of the browser (or of the proxy in front of it); None without a browser (tests)."""
    try:
        return st.context.ip_address
    except Exception:  # no browser context
        return None


def _restore_actor():
    """The signed-in Actor. Every run checks this session's token (or, on a reload, the URL's)
    against the store, so a logout, password or role change or disabling ends every session of
    the account at once; a token older than a few minutes is renewed. Without a token: the
    trusted proxy header when configured and sent from an address in COCKPIT_TRUSTED_PROXIES
    (never after a sign-out in this session)."""
    actor = st.session_state.get("actor")
    token = st.session_state.get("token")
    if actor is not None and not token:
        return actor  # put there by code of this process (AppTests), not by a browser
    if actor is None:
        token = st.query_params.get(TOKEN_PARAM)
    headers = {}
    try:
        headers = dict(st.context.headers or {})
    except Exception:  # no browser context (tests)
        headers = {}
    with session_scope(engine) as session:
        got = access.resume(session, token) if token else None
        actor, token = got if got else (None, None)
        if actor is None and not st.session_state.get("signed_out"):
            actor = access.actor_from_trusted_header(session, headers, _client_address())
            if actor is not None:
                token = access.issue_token(session, actor)
    if actor is not None:
        st.session_state["actor"] = actor
        st.session_state["token"] = token
    else:
        st.session_state.pop("actor", None)  # signed out elsewhere, password or role changed, disabled
        st.session_state.pop("token", None)
        if TOKEN_PARAM in st.query_params:
            del st.query_params[TOKEN_PARAM]  # expired, revoked or tampered
    return actor


def _login_form() -> None:
    st.markdown(f"## {t('login_title', lang)}")
    st.caption(t("login_hint", lang))
    left, _ = st.columns([2, 3])
    with left:
        with st.form("login"):
            user = st.text_input(t("username", lang), key="login_user", max_chars=100)
            password = st.text_input(t("password", lang), type="password", key="login_password", max_chars=256)
            submitted = st.form_submit_button(t("login", lang), key="login_submit", type="primary")
    if submitted:
        try:
            with session_scope(engine) as session:
                actor = access.authenticate(session, user, password, address=_client_address())
                token = access.issue_token(session, actor)
        except CockpitError as exc:
            st.error(exc.text(lang))
            return
        st.session_state["actor"] = actor
        st.session_state["token"] = token
        st.session_state.pop("signed_out", None)
        st.query_params[TOKEN_PARAM] = token
        st.rerun()


actor = _frame.guarded(_restore_actor, lang=lang)
if actor is None:
    _login_form()  # a successful sign-in reruns from here, on the page the URL names (see below)
    # A link to an inner page (/project-map, from a message or a bookmark) opened signed out: every
    # page is registered, unseen, so that Streamlit finds the page the URL names (no "Page not found"
    # over the form) and keeps it as the current page; the sign-in's rerun then opens it. Without a
    # st.navigation call here Streamlit would also stay in its legacy pages/-folder mode for the whole
    # process until somebody signs in, and that mode knows no /project-map (docs/deploy.md: the warm-up).
    # Called after the form, so that a sign-in's rerun runs in the same mode as its run: element ids
    # (the form's, the sidebar's) differ between Streamlit's two modes, and AppTest starts every run in
    # the legacy one.
    st.navigation(_nav_sections(None), position="hidden")
    st.stop()

# keep the token in the URL so that a reload keeps the user signed in
if st.session_state.get("token") and st.query_params.get(TOKEN_PARAM) != st.session_state["token"]:
    st.query_params[TOKEN_PARAM] = st.session_state["token"]

# --- shared filters: period and county, kept across pages --------------------------------------------
periods_list = _frame.guarded(_cache.report_periods, lang=lang)
if periods_list:
    if st.session_state.get("period") not in periods_list:
        st.session_state["period"] = periods_list[0]
    _keep("period_select", "period", periods_list[0])
    if st.session_state["period_select"] not in periods_list:
        st.session_state["period_select"] = periods_list[0]
    period = st.sidebar.selectbox(
        t("period", lang), periods_list, key="period_select",
        format_func=lambda p: fmt_period(p, lang),
    )
    st.session_state["period"] = period
else:
    st.session_state["period"] = None

names = _frame.guarded(_cache.region_names, lang=lang)
ALL_REGIONS = ""  # the widget's value for 全部县区 (region_code None)
region_options = [ALL_REGIONS, *names.keys()]
default_region = actor.region_code if actor.role == "staff" and actor.region_code in names else None
if "region_code" not in st.session_state:
    st.session_state["region_code"] = default_region
if "region_select" not in st.session_state:
    st.session_state["region_select"] = st.session_state.get("region_code") or ALL_REGIONS
if st.session_state["region_select"] not in region_options:
    st.session_state["region_select"] = ALL_REGIONS
region = st.sidebar.selectbox(
    t("region", lang), region_options, key="region_select",
    format_func=lambda c: t("all_regions", lang) if c == ALL_REGIONS else names.get(c, c),
)
st.session_state["region_code"] = region or None

# --- who, and sign out -------------------------------------------------------------------------------------
st.sidebar.caption(f"{t('signed_in_as', lang)}:{actor.label}({enum_label('role', actor.role, lang)})")
if st.sidebar.button(t("logout", lang), key="logout_button", width="stretch"):
    with session_scope(engine) as session:
        access.logout(session, actor.username)  # every token of this account stops working
    st.session_state["signed_out"] = True
    for k in ("actor", "token", "project_code", _frame.LIST_FILTER_KEY):
        st.session_state.pop(k, None)
    if TOKEN_PARAM in st.query_params:
        del st.query_params[TOKEN_PARAM]
    st.rerun()

# --- 汇报模式 presentation mode (?present=1): pages/_frame.presentation_switch ------------------------------
_frame.presentation_switch(lang)

# --- navigation: pages that exist and that the role may see ---------------------------------------------
nav = st.navigation(_nav_sections(actor), position="top")
with _frame.error_boundary(lang):
    _frame.guarded(nav.run, lang=lang)  # a store lost in the middle of a page: a message, then by itself back
