"""The slide template of the monthly pack: a .pptx the campaign office uploads (logo, colours, slide
master), kept in the store (table output_templates) and used for every later pack.

Only the campaign office may save or remove it (``briefing_template`` permission, enforced here);
every save and removal is audited. The file is checked before it is kept: a real .pptx (python-pptx
opens it), at most 20 MB, 16:9 at PowerPoint's widescreen size (13.333 × 7.5 in, the size the pack
is laid out for). Pure Python: never imports streamlit.
"""
from __future__ import annotations

import hashlib
import io

from sqlalchemy.orm import Session

from lib.access import Actor, require
from lib.errors import CockpitError
from lib.store import audit
from lib.store.models import OutputTemplate

KIND = "briefing"
MAX_BYTES = 20 * 1024 * 1024
WIDE = (12192000, 6858000)  # EMU: 13.333 × 7.5 in


def check_template(data: bytes) -> None:
    """Raise CockpitError unless ``data`` is a .pptx the pack can be built on."""
    if len(data) > MAX_BYTES:
        raise CockpitError("pk_template_big", mb=MAX_BYTES // (1024 * 1024))
    try:
        from pptx import Presentation

        prs = Presentation(io.BytesIO(data))
    except Exception as exc:  # any parse failure is the user's file, not our bug
        raise CockpitError("pk_template_bad", why=exc.__class__.__name__) from exc
    size = (int(prs.slide_width or 0), int(prs.slide_height or 0))
    if abs(size[0] - WIDE[0]) > 9144 or abs(size[1] - WIDE[1]) > 9144:  # within 0.01 in
        raise CockpitError("pk_template_bad", why=f"{size[0] / 914400:.2f} × {size[1] / 914400:.2f} in ≠ 13.33 × 7.50 in (16:9)")


def save_template(session: Session, actor: Actor, filename: str, data: bytes) -> OutputTemplate:
    """Keep ``data`` as the pack's template (replacing the one before). Office only; audited."""
    require(actor, "briefing_template")
    check_template(data)
    from lib.store.audit import now

    name = (filename or "template.pptx").replace("\\", "/").rsplit("/", 1)[-1][:200]
    row = session.get(OutputTemplate, KIND)
    before = None if row is None else {"filename": row.filename, "sha256": row.sha256, "by": row.uploaded_by}
    digest = hashlib.sha256(data).hexdigest()
    if row is None:
        row = OutputTemplate(kind=KIND)
        session.add(row)
    row.filename, row.content, row.sha256 = name, data, digest
    row.uploaded_by, row.uploaded_at = actor.username, now()
    audit.record(session, actor.username, "template", "output_templates", KIND, before,
                 {"filename": name, "sha256": digest, "bytes": len(data)})
    session.flush()
    return row


def remove_template(session: Session, actor: Actor) -> bool:
    """Drop the template (the built-in layout is used again). Office only; audited."""
    require(actor, "briefing_template")
    row = session.get(OutputTemplate, KIND)
    if row is None:
        return False
    audit.record(session, actor.username, "template", "output_templates", KIND,
                 {"filename": row.filename, "sha256": row.sha256}, None)
    session.delete(row)
    session.flush()
    return True


def get_template(session: Session) -> OutputTemplate | None:
    """The current template row, or None (the built-in layout)."""
    return session.get(OutputTemplate, KIND)


__all__ = ["save_template", "remove_template", "get_template", "check_template", "KIND"]
