"""Small text helpers shared by the models and the import (no Django imports)."""

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000*]+")
_BRACKETS = str.maketrans(
    {"〔": "[", "〕": "]", "［": "[", "］": "]", "【": "[", "】": "]", "（": "(", "）": ")"}
)


def fold_name(text: str | None) -> str:
    """A matching key for names and 文号: NFKC, no spaces, one kind of each bracket.

    晋市政办〔2024〕12号, 晋市政办[2024]12号 and 晋市政办 [2024] 12 号 share one key.
    """
    text = unicodedata.normalize("NFKC", text or "")
    return _SPACES.sub("", text).translate(_BRACKETS)
