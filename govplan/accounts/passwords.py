"""Password rules beyond Django's: guessable words, breached passwords, earlier passwords.

Django's validators (settings.AUTH_PASSWORD_VALIDATORS) refuse short, common, all-digit and
user-like passwords, but `matkhau123`, `bacninh2027` and `Hanoi@2026` pass them: a common
word or a place name with digits or a symbol added. GuessablePasswordValidator strips what
people add to a word (diacritics, case, digits, symbols) and compares what is left with the
names of provinces, districts, ministries and agencies (data/orgunits), a bundled list of the
words passwords are built from (data/common-words.txt), and the user's own names and units.
BreachedPasswordValidator looks the password's SHA-1 up in a sorted file, offline.
PasswordHistoryValidator refuses the account's last PASSWORD_HISTORY_COUNT passwords and
records each new one.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

WORDS_FILE = Path(__file__).resolve().parent / "data" / "common-words.txt"
# The unit files whose names people use (communes are too many and too short to matter).
UNIT_FILES = (
    "20-ministries.csv",
    "25-central-authority.csv",
    "30-gov-agencies.csv",
    "40-provinces.csv",
    "50-districts-legacy.csv",
)
# What a unit's name starts with that people leave out: "Tỉnh Bắc Ninh" is "bacninh".
LEVEL_PREFIXES = ("thanhpho", "tinh", "quan", "huyen", "thixa", "bo", "cuc", "ban", "uyban")
LEET = str.maketrans({"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s"})
MIN_WORD = 2


def letters(text: str) -> str:
    """The letters of ``text``, lower case, without diacritics: "Hà Nội@2026" is "hanoi"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", bare.lower())


def word_forms(name: str) -> set[str]:
    """The forms of a name people type: whole, without its level prefix, and each long word."""
    whole = letters(name)
    forms = {whole}
    for prefix in LEVEL_PREFIXES:
        if whole.startswith(prefix) and len(whole) > len(prefix) + 2:
            forms.add(whole[len(prefix) :])
    return {f for f in forms if len(f) >= MIN_WORD}


@functools.cache
def reference_words() -> frozenset[str]:
    """Place and unit names from the reference data, and the bundled word list."""
    words: set[str] = set()
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words |= word_forms(line)
    folder = Path(settings.REFERENCE_DATA_DIR) / "orgunits" / "units"
    for name in UNIT_FILES:
        path = folder / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("name", "short_name", "name_en"):
                    words |= word_forms(row.get(column) or "")
    return frozenset(words)


def personal_words(user: Any) -> set[str]:
    """The user's names, the parts of their user name and e-mail, and their units' names."""
    if user is None:
        return set()
    texts = [
        getattr(user, attr, "") or ""
        for attr in ("username", "full_name", "first_name", "last_name", "email")
    ]
    words: set[str] = set()
    for text in texts:
        words |= word_forms(text)
        for part in re.split(r"[\s._@+\-\d]+", text):
            words |= {f for f in word_forms(part) if len(f) >= 3}
    if getattr(user, "pk", None) is not None:
        for membership in user.memberships.select_related("org_unit"):
            words |= word_forms(membership.org_unit.name)
            words |= word_forms(membership.org_unit.short_name)
    return words


def built_from(core: str, vocabulary: Iterable[str] | frozenset[str] | set[str]) -> bool:
    """Whether ``core`` is a word of the vocabulary, two of them joined, or one repeated."""
    vocab = vocabulary if isinstance(vocabulary, set | frozenset) else set(vocabulary)
    if not core:
        return False
    if core in vocab or len(set(core)) == 1:
        return True
    for i in range(MIN_WORD, len(core) - MIN_WORD + 1):
        head, tail = core[:i], core[i:]
        if head in vocab and (tail in vocab or tail == head * (len(tail) // len(head))):
            return True
    return False


def is_guessable(password: str, user: Any = None) -> bool:
    vocabulary = reference_words() | personal_words(user)
    # "P@ssw0rd1234": the symbols and digits inside a word stand for letters, those around it
    # are added.
    inner = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password)
    cores = {letters(password), letters(inner.translate(LEET))}
    return any(built_from(core, vocabulary) for core in cores)


class GuessablePasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if is_guessable(password, user):
            raise ValidationError(
                _(
                    "This password is a name, a place, a unit or a common word with digits or "
                    "symbols added: easy to guess. Choose several unrelated words."
                ),
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be a name, a place, a unit or a common word with digits or "
            "symbols added."
        )


def _line_from(handle: Any, offset: int) -> bytes:
    """The first whole line starting at or after ``offset``."""
    if offset == 0:
        handle.seek(0)
    else:
        handle.seek(offset - 1)
        handle.readline()
    line: bytes = handle.readline()
    return line


def _line_key(line: bytes) -> bytes:
    return line.split(b":", 1)[0].strip().upper()


def in_sorted_hash_file(path: Path, digest: str) -> bool:
    """Binary search of a file of sorted hashes (optionally "HASH:COUNT"), any size."""
    key = digest.upper().encode()
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImproperlyConfigured(f"BREACHED_PASSWORDS_FILE {path}: {exc}") from None
    with handle:
        handle.seek(0, 2)
        low, high = 0, handle.tell()
        while low < high:
            middle = (low + high) // 2
            line = _line_from(handle, middle)
            if not line or _line_key(line) >= key:
                high = middle
            else:
                low = middle + 1
        return _line_key(_line_from(handle, low)) == key


class BreachedPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()
        if in_sorted_hash_file(Path(settings.BREACHED_PASSWORDS_FILE), digest):
            raise ValidationError(
                _("This password appears in lists of leaked passwords. Choose another."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be one that has appeared in a data breach.")


class PasswordHistoryValidator:
    """No reuse of the last PASSWORD_HISTORY_COUNT passwords; records every new one."""

    def _count(self) -> int:
        count: int = settings.PASSWORD_HISTORY_COUNT
        return count

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None or self._count() == 0:
            return
        from govplan.accounts.models import PasswordHistory, User

        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        earlier = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : self._count()
            ]
        )
        for encoded in [current, *earlier]:
            if encoded and check_password(password, encoded):
                raise ValidationError(
                    _("This password was used recently on this account. Choose a new one."),
                    code="password_reused",
                )

    def password_changed(self, password: str, user: Any = None) -> None:
        """Called by Django whenever a user's new password is saved, by whatever path."""
        if user is None or getattr(user, "pk", None) is None or not user.password:
            return
        from govplan.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            : max(self._count(), 1)
        ]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return _("Your password cannot be one of your recent passwords.")
