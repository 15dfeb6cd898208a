"""What the officer is told when a USB stick folder cannot be used safely (see app.sync.stick)."""

from __future__ import annotations

from app.i18n import _
from app.sync.stick import StickError


def stick_problem(error: StickError) -> str:
    """A translated sentence for a refused stick file or folder."""
    name = error.name
    if error.code == "link":
        return _(
            "“{name}” on the stick is a link to somewhere else. It was not used; the stick may "
            "have been tampered with."
        ).format(name=name)
    if error.code == "name":
        return _(
            "The stick lists a file name that points outside its folder (“{name}”). It was not used; "
            "the stick may have been tampered with."
        ).format(name=name)
    if error.code == "not_file":
        return _("“{name}” on the stick is not an ordinary file. It was not used.").format(
            name=name
        )
    if error.code == "too_large":
        return _("“{name}” on the stick is larger than allowed. It was not used.").format(name=name)
    if error.code == "missing":
        return _("“{name}” is missing from the stick.").format(name=name)
    if error.code == "not_folder":
        return _("“{name}” is not a folder.").format(name=name)
    return _("The stick cannot be read or written: {error}").format(error=error.detail or name)
