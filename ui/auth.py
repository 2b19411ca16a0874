"""Optional login for deployments: ``qa serve --auth user:password`` (repeatable) or the
environment variable ``QA_AUTH="user:password[,user2:password2]"``.

    >>> logins(["ann:s3cret"], {"QA_AUTH": "bob:pa:ss"})
    [('ann', 's3cret'), ('bob', 'pa:ss')]
    >>> describe(logins([], {"QA_AUTH": "ann:s3cret"}))
    'login required (1 user: ann)'

Passwords are never printed or logged: :func:`describe` names only the users.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["ENV_AUTH", "describe", "logins", "parse_login"]

ENV_AUTH = "QA_AUTH"


def parse_login(text: str) -> tuple[str, str]:
    """``"user:password"`` → ``("user", "password")``; the password may contain ``:``.

    >>> parse_login("ann:a:b")
    ('ann', 'a:b')
    """
    user, colon, password = text.strip().partition(":")
    if not colon or not user.strip() or not password:
        # the text may be a password typed in the wrong place: do not echo it
        raise ValueError("a login must be written user:password, with neither part empty")
    return user.strip(), password


def logins(given: Iterable[str] | None, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """The logins from ``--auth`` options and ``QA_AUTH`` (comma-separated), in order.

    An empty list means the app is open to anyone who can reach it.
    """
    texts = list(given or [])
    texts += [part for part in env.get(ENV_AUTH, "").split(",") if part.strip()]
    found: dict[str, str] = {}
    for text in texts:
        user, password = parse_login(text)
        found[user] = password  # a later entry for the same user wins
    return list(found.items())


def describe(users: Sequence[tuple[str, str]]) -> str:
    """A line for the console about who may log in (no passwords)."""
    if not users:
        return "no login (anyone who can reach the address can use the app)"
    names = ", ".join(user for user, _ in users)
    return f"login required ({len(users)} user{'s' if len(users) != 1 else ''}: {names})"
