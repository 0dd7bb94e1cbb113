"""Password strength: a long password is not enough, it must also be hard to guess.

zxcvbn estimates how many guesses a password takes (dictionary words, names, keyboard walks,
repeats, sequences, dates, l33t substitutions) and scores it from 0 (too guessable) to 4. The
length rule stays MinimumLengthValidator's; this one refuses twelve characters of `aaaaaaaaaaaa`
or `1234567890ab` that pass it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's matching cost grows quickly with length and it refuses input past 72 characters; a
# longer password is judged on its first 72, which only ever underestimates its strength.
ESTIMATED_LENGTH = 72


class GuessabilityValidator:
    """Refuse passwords zxcvbn scores below `min_score` (3: "safely unguessable" online, slow offline)."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=self._personal_words(user))
        if estimate["score"] >= self.min_score:
            return
        warning = estimate["feedback"].get("warning")
        raise ValidationError(
            "This password is too easy to guess%(why)s Use a passphrase of several unrelated words, "
            "or let a password manager make one.",
            code="password_too_guessable",
            params={"why": f": {warning.rstrip('.')}." if warning else "."},
        )

    def get_help_text(self) -> str:
        return "Your password must be hard to guess: no repeats, sequences, common words or your own name."

    @staticmethod
    def _personal_words(user) -> list[str]:
        # Passwords made of the user's own name, username or e-mail address are guessed first.
        if user is None:
            return []
        fields = ("username", "first_name", "last_name", "email")
        return [str(value) for value in (getattr(user, name, "") for name in fields) if value]
