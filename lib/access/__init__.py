"""access: who may do what. Roles and permissions (roles), accounts with hashed passwords and
sign-in (accounts), reload-proof sign-in tokens and the trusted-header sign-in (tokens), and the
region scope every read and write check goes through. Enforced here, never only in the UI."""
from __future__ import annotations

from lib.access.accounts import (  # noqa: F401
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    MIN_PASSWORD_LENGTH,
    SECRET_SETTING_KEY,
    actor_for,
    authenticate,
    create_user,
    hash_password,
    list_users,
    set_active,
    set_password,
    set_region,
    set_role,
    verify_password,
)
from lib.access.roles import (  # noqa: F401
    CLI_ACTOR,
    PERMISSION_ZH,
    REGION_SCOPED_ROLES,
    ROLE_ZH,
    Actor,
    can,
    require,
)
from lib.access.tokens import (  # noqa: F401
    actor_from_token,
    actor_from_trusted_header,
    get_secret,
    issue_token,
    read_token,
)
