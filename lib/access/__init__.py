"""access: who may do what. Roles and permissions (roles), accounts with hashed passwords, name and
password rules and sign-in (accounts), growing sign-in delays per name and address (throttle),
the 包联领导/责任单位 an account is linked to (links, set by the office),
revocable sign-in tokens, the signing key and the trusted-header sign-in (tokens), and the region
scope every read and write check goes through (scope). Enforced here, never only in the UI."""
from __future__ import annotations

from lib.access.accounts import (  # noqa: F401
    MAX_USERNAME_LENGTH,
    MIN_PASSWORD_LENGTH,
    SECRET_SETTING_KEY,
    actor_for,
    authenticate,
    check_password,
    check_username,
    create_user,
    delayed_until,
    hash_password,
    list_users,
    logout,
    normalise_username,
    set_active,
    set_password,
    set_region,
    set_role,
    unlock,
    verify_password,
)
from lib.access.links import link_choices, links, set_links  # noqa: F401
from lib.access.roles import (  # noqa: F401
    CLI_ACTOR,
    REGION_SCOPED_ROLES,
    Actor,
    can,
    require,
)
from lib.access.scope import EVERYWHERE, RegionScope, scope_for  # noqa: F401
from lib.access.tokens import (  # noqa: F401
    actor_from_token,
    actor_from_trusted_header,
    get_secret,
    is_trusted_proxy,
    issue_token,
    read_token,
    resume,
    rotate_secret,
    secret_path,
    sign_token,
)
