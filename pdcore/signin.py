"""Who may sign in: the [auth] setup read from the secrets files, and the identity a provider vouches for.

The secrets files are read here with tomllib, the way Streamlit reads them (later files
override earlier ones table by table), because a file Streamlit cannot parse makes
`st.secrets` look empty: the app must stop on it, never fall back to letting people in.
The rules for [auth] are those `st.login` applies in Streamlit 1.67
(streamlit/auth_util.py: validate_auth_credentials), checked before anyone presses a button.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

AUTH = "auth"
# Top-level tables the app reads; a near miss ([Auth], [oauth]) is a mistake, not a new table.
KNOWN_TABLES = (AUTH, "gcp_service_account")
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# Keys of [auth] whose table values are settings, not providers.
_AUTH_SETTINGS_TABLES = {"client_kwargs"}
_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class SignInSetup:
    """What the secrets files say about sign-in.

    `problem` is one sentence naming the file and what is wrong (nobody may sign in);
    otherwise `providers` names the st.login providers ("default" for keys directly under
    [auth]), empty when there is no [auth] table at all.
    """

    problem: str = ""
    providers: tuple[str, ...] = ()

    @property
    def real(self) -> bool:
        return not self.problem and bool(self.providers)


def read_setup(paths: Iterable[str | Path]) -> SignInSetup:
    """Read the secrets files at `paths` (missing ones are skipped) and check [auth]."""
    merged: dict = {}
    auth_file: Path | None = None
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            continue  # Streamlit skips a missing file too (a secrets directory is not used here)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            return _refused(path, f"cannot be read ({_parse_error(exc)})")
        except UnicodeDecodeError:
            return _refused(path, "cannot be read (it is not UTF-8 text)")
        except OSError as exc:
            return _refused(path, f"cannot be read ({exc.strerror or exc})")
        for key in data:
            wrong = _misspelled_table(key)
            if wrong:
                case = " (table names are case-sensitive)" if key.lower() == wrong else ""
                return _refused(path, f"has a table [{key}] where [{wrong}] was meant{case}")
        if AUTH in data:
            auth_file = path
        merged.update(data)
    if AUTH not in merged:
        return SignInSetup()
    problem, providers = _check_auth(merged[AUTH])
    if problem:
        return _refused(auth_file, problem)
    return SignInSetup(providers=providers)


def _refused(path: Path, what: str) -> SignInSetup:
    return SignInSetup(
        problem=f"Nobody can sign in: the secrets file {path} {what}. Fix it and restart the app."
    )


def _parse_error(exc: tomllib.TOMLDecodeError) -> str:
    """'line 5, column 10: invalid value' from tomllib's 'Invalid value (at line 5, column 10)'."""
    message = str(exc)
    where = _AT_LINE.search(message)
    if not where:
        return message[:1].lower() + message[1:]
    what = message[: where.start()]
    return f"line {where[1]}, column {where[2]}: {what[:1].lower() + what[1:]}"


def _misspelled_table(key: str) -> str:
    """The known table `key` was probably meant to be, or '' when it is known or unrelated."""
    if key in KNOWN_TABLES:
        return ""
    close = difflib.get_close_matches(key.lower().replace("-", "_"), KNOWN_TABLES, 1, 0.75)
    return close[0] if close else ""


def _check_auth(auth) -> tuple[str, tuple[str, ...]]:
    """(what is wrong, or "", and the providers) for the [auth] table, as st.login judges it."""
    if not isinstance(auth, Mapping):
        return "sets auth to a single value where an [auth] table is needed", ()
    missing = [k for k in AUTH_KEYS if not _given(auth.get(k))]
    if missing:
        return f"has no {_keys(missing)} in [auth]", ()
    if not str(auth["redirect_uri"]).endswith("/oauth2callback"):
        return "has a redirect_uri in [auth] that does not end with /oauth2callback", ()
    named = {
        name: section
        for name, section in auth.items()
        if isinstance(section, Mapping) and name not in _AUTH_SETTINGS_TABLES
    }
    if not named or any(k in auth for k in PROVIDER_KEYS):
        # Keys directly under [auth] are st.login's "default" provider.
        missing = [k for k in PROVIDER_KEYS if not _given(auth.get(k))]
        if missing:
            return f"has no {_keys(missing)} in [auth]", ()
    for name, section in named.items():
        if "_" in name:
            return (
                f"has a provider [auth.{name}] with an underscore in its name (st.login refuses it)",
                (),
            )
        missing = [k for k in PROVIDER_KEYS if not _given(section.get(k))]
        if missing:
            return f"has no {_keys(missing)} in [auth.{name}]", ()
    default = ("default",) if any(k in auth for k in PROVIDER_KEYS) else ()
    return "", default + tuple(named)


def _given(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _keys(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def domain_of(email: str) -> str:
    """The part after the last @, lower-cased."""
    return email.rpartition("@")[2].strip().lower()


def in_domain(email: str, allowed_domain: str) -> bool:
    """True when `email` is exactly in `allowed_domain` (any case; no subdomain, no look-alike).

    An empty `allowed_domain` allows every address (the roster still decides who is in).
    """
    allowed = (allowed_domain or "").strip().lstrip("@").lower()
    return not allowed or ("@" in email and domain_of(email) == allowed)


def email_verified(claims: Mapping) -> bool:
    """False only when the provider says the address is not verified.

    OpenID Connect providers that verify every address may leave the claim out.
    """
    value = claims.get("email_verified")
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True
