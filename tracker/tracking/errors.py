"""Why a workflow action did not happen: not possible now, or someone changed the item first."""

from django.utils.translation import gettext as _


class ActionError(Exception):
    """The action cannot happen now (the item's status does not allow it)."""


class Conflict(ActionError):
    """Someone changed the item since the user loaded it; `current` is the newer item."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            _("该事项已被他人更新（当前为第 %(version)s 版），您的修改未保存。")
            % {"version": current.version}
        )
