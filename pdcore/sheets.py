"""Google Sheets adapter: the only module that imports gspread.

Reads every worksheet a sync needs with two API calls (the spreadsheet's metadata, which
also gives its locale and time zone, then ONE values:batchGet), as raw text rows, so "007"
stays "007" and a duplicated header is ours to report rather than gspread's to raise. Writes
a table back to a named worksheet in ONE batchUpdate (resize and every cell together, which
Google applies all or nothing), with formula-looking values made inert.

Google allows 60 read requests a minute per user. A 429 (or a 5xx) is retried a few times
with short waits (the sleep is injectable so tests do not wait), then the caller gets one
sentence; gspread's BackOffHTTPClient is deliberately not used: it can sleep for minutes
while a page waits.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import gspread
import pandas as pd
import requests
from google.auth import exceptions as auth_errors
from gspread.exceptions import APIError

from pdcore.exports import inert
from pdcore.model import ValidationError

# Where credentials come from, in order: a [gcp_service_account] table in
# .streamlit/secrets.toml (or the app's st.secrets), the JSON text in an environment
# variable, or the path to a key file in GOOGLE_APPLICATION_CREDENTIALS.
SECRETS_SECTION = "gcp_service_account"
ENV_JSON = "PDCORE_SERVICE_ACCOUNT_JSON"
ENV_FILE = "GOOGLE_APPLICATION_CREDENTIALS"
SECRETS_FILE = Path(".streamlit/secrets.toml")

# Retry waits in seconds after a 429 or 5xx: three retries, about 7 s at most in all.
RETRY_WAITS: tuple[float, ...] = (1.0, 2.0, 4.0)
# Seconds one request may take before it is given up (a hung connection must not hold the
# import lock for ever).
REQUEST_TIMEOUT = 60

_KEY_IN_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")


class SheetsError(ValidationError):
    """Google Sheets could not be read or written; the message says what to do."""


@dataclass
class SheetData:
    """What one read brought back: each requested worksheet as rows of text."""

    title: str
    locale: str
    tables: dict[str, list[list[str]]]
    api_calls: int = 0
    time_zone: str = ""  # the spreadsheet's, e.g. "America/New_York"


@dataclass
class CallCounter:
    """Counts the HTTP requests made through `call` (retries included)."""

    calls: int = 0
    waits: list[float] = field(default_factory=list)


def credentials_info(
    secrets: Mapping | None = None, env: Mapping[str, str] | None = None
) -> dict | None:
    """The service account's key as a dict, or None when Sheets are not configured.

    `secrets` is st.secrets or the parsed secrets.toml; `env` defaults to os.environ.
    """
    env = os.environ if env is None else env
    if secrets is not None:
        try:
            section = secrets.get(SECRETS_SECTION)
        except Exception:  # st.secrets raises when there is no secrets file at all
            section = None
        if section:
            return dict(section)
    if env.get(ENV_JSON):
        try:
            return json.loads(env[ENV_JSON])
        except json.JSONDecodeError as exc:
            raise SheetsError(f"{ENV_JSON} is not valid JSON: paste the key file's text.") from exc
    if env.get(ENV_FILE):
        path = Path(env[ENV_FILE])
        if not path.is_file():
            raise SheetsError(f"{ENV_FILE} points at {path}, which does not exist.")
        return json.loads(path.read_text(encoding="utf-8"))
    return None


def secrets_from_file(path: Path = SECRETS_FILE) -> dict:
    """.streamlit/secrets.toml parsed (for the command line, which has no st.secrets)."""
    import tomllib

    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def service_account_email(info: Mapping | None) -> str:
    """The address the admin shares the spreadsheet with ('' when not configured)."""
    return str((info or {}).get("client_email", ""))


def client_for(info: Mapping) -> gspread.Client:
    """A gspread client signed in as the service account (no network until a request)."""
    try:
        client = gspread.service_account_from_dict(dict(info))
        client.set_timeout(REQUEST_TIMEOUT)
        return client
    except (ValueError, KeyError) as exc:
        raise SheetsError(
            "The service account key is incomplete: paste the whole JSON key file Google "
            "gave you into the [gcp_service_account] section of .streamlit/secrets.toml."
        ) from exc


def spreadsheet_key(text: str) -> str:
    """The spreadsheet key from a pasted URL or a bare key."""
    text = (text or "").strip()
    match = _KEY_IN_URL.search(text)
    if match:
        return match.group(1)
    if _BARE_KEY.fullmatch(text):
        return text
    raise SheetsError(
        "That is not a Google Sheets link or key: paste the address from the browser bar, "
        "like https://docs.google.com/spreadsheets/d/.../edit."
    )


def a1_title(title: str) -> str:
    """A worksheet title quoted for A1 notation ('It''s' style)."""
    return "'" + title.replace("'", "''") + "'"


def call(
    fn: Callable[[], object],
    *,
    who: str = "",
    counter: CallCounter | None = None,
    sleep: Callable[[float], None] = time.sleep,
    waits: Sequence[float] = RETRY_WAITS,
    retry_server_errors: bool = True,
):
    """Run one API request, retrying a few times on quota (429) and server (5xx) errors
    (only on 429 when `retry_server_errors` is False: a write that got a 5xx may have been
    applied, and must not be sent twice).

    Every other failure becomes a SheetsError with one sentence saying what to do.
    """
    attempt = 0
    while True:
        if counter is not None:
            counter.calls += 1
        try:
            return fn()
        except APIError as exc:
            status = _status(exc)
            retry = status == 429 or (status >= 500 and retry_server_errors)
            if retry and attempt < len(waits):
                wait = waits[attempt]
                attempt += 1
                if counter is not None:
                    counter.waits.append(wait)
                sleep(wait)
                continue
            raise SheetsError(_explain(status, exc, who)) from exc
        except auth_errors.RefreshError as exc:
            # The token server answered and refused: the key was revoked or deleted.
            raise SheetsError(
                "Google refused the service account's key (it may have been deleted or "
                "revoked): nothing was changed; create a new key in Google Cloud and paste it "
                "into .streamlit/secrets.toml."
            ) from exc
        except auth_errors.TransportError as exc:
            raise SheetsError(
                "Could not reach Google's sign-in server (the network may be down or "
                "blocked): nothing was changed; try again in a few minutes."
            ) from exc
        except auth_errors.GoogleAuthError as exc:
            raise SheetsError(
                f"Google could not sign in with the service account's key ({exc}): nothing "
                "was changed; check the key in .streamlit/secrets.toml."
            ) from exc
        except requests.RequestException as exc:
            raise SheetsError(
                "Could not reach Google Sheets (the network may be down): nothing was "
                "changed; try again in a few minutes."
            ) from exc


def _status(exc: APIError) -> int:
    response = getattr(exc, "response", None)
    if response is not None and getattr(response, "status_code", None):
        return int(response.status_code)
    return int(getattr(exc, "code", 0) or 0)


def _explain(status: int, exc: APIError, who: str) -> str:
    share = f" with {who}" if who else " with the service account"
    if status == 404:
        return (
            "Google Sheets has no spreadsheet with that key: check the link on the Data page "
            "(copy it from the browser bar while the sheet is open)."
        )
    if status == 403:
        return (
            f"The service account may not open this spreadsheet: share it{share} "
            "(Viewer is enough to sync, Editor to push results)."
        )
    if status == 429:
        return (
            "Google Sheets is rate-limiting this app (60 reads a minute): nothing was "
            "changed; wait a minute and sync again."
        )
    if status == 401:
        return (
            "Google refused the service account's key: create a new key and paste it into "
            ".streamlit/secrets.toml."
        )
    if status >= 500:
        return "Google Sheets is having trouble right now: nothing was changed; try again later."
    message = (getattr(exc, "error", None) or {}).get("message", str(exc))
    return f"Google Sheets refused the request ({status}): {message}"


def read_worksheets(
    client: gspread.Client,
    key: str,
    worksheets: Mapping[str, str],
    *,
    who: str = "",
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> SheetData:
    """Read worksheets by title as raw text rows: `{name: title}` -> `{name: rows}`.

    Two requests: the spreadsheet's metadata (to name a missing worksheet clearly) and one
    values:batchGet for all of them together.
    """
    http = client.http_client
    counter = CallCounter()
    say = progress or (lambda _msg: None)
    say("Opening the spreadsheet...")
    meta = call(lambda: http.fetch_sheet_metadata(key), who=who, counter=counter, sleep=sleep)
    titles = [s["properties"]["title"] for s in meta.get("sheets", [])]
    for name, title in worksheets.items():
        if title not in titles:
            raise SheetsError(
                f"The spreadsheet has no worksheet named '{title}' (for the {name}); it has "
                f"{', '.join(repr(t) for t in titles) or 'none'}. Fix the name on the Data page."
            )
    say(f"Reading {', '.join(repr(t) for t in worksheets.values())}...")
    names = list(worksheets)
    ranges = [a1_title(worksheets[n]) for n in names]
    params = {"majorDimension": "ROWS", "valueRenderOption": "FORMATTED_VALUE"}
    body = call(
        lambda: http.values_batch_get(key, ranges, params=dict(params)),
        who=who,
        counter=counter,
        sleep=sleep,
    )
    value_ranges = body.get("valueRanges", [])
    tables = {}
    for name, vr in zip(names, value_ranges, strict=False):
        rows = [[_text(v) for v in row] for row in vr.get("values", [])]
        # The API drops a row's trailing empty cells: in a Sheet they are empty, not missing.
        width = len(rows[0]) if rows else 0
        tables[name] = [row + [""] * (width - len(row)) for row in rows]
    for name in names:
        tables.setdefault(name, [])
    props = meta.get("properties", {})
    return SheetData(
        title=props.get("title", ""),
        locale=props.get("locale", ""),
        tables=tables,
        api_calls=counter.calls,
        time_zone=props.get("timeZone", ""),
    )


def _text(value) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def sheet_values(frame: pd.DataFrame) -> list[list]:
    """A table as Sheet rows (header first), every text value made inert."""
    header = [str(inert(str(c))) for c in frame.columns]
    rows = []
    for record in frame.itertuples(index=False, name=None):
        row = []
        for value in record:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                row.append("")
            elif isinstance(value, bool | int | float | str):
                row.append(inert(value))
            else:  # dates, numpy scalars, ...
                row.append(inert(str(value)))
        rows.append(row)
    return [header, *rows]


def _cell_data(value) -> dict:
    """One value as a CellData for updateCells (text stays text: never a formula)."""
    if value == "" or value is None:
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def write_worksheet(
    client: gspread.Client,
    key: str,
    title: str,
    frame: pd.DataFrame,
    *,
    who: str = "",
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Replace the contents of worksheet `title` with `frame` (added if missing).

    One metadata read, then ONE batchUpdate that sizes the grid and writes every cell (the
    cells not written are cleared). Google applies a batchUpdate all or nothing, so a failure
    leaves the old contents. Returns the number of data rows written. Text is sent as text
    and made inert, so a name like "=HYPERLINK(...)" arrives as text.
    """
    http = client.http_client
    values = sheet_values(frame)
    n_rows, n_cols = max(len(values), 2), max(len(values[0]), 1)
    meta = call(lambda: http.fetch_sheet_metadata(key), who=who, sleep=sleep)
    sheets = [s["properties"] for s in meta.get("sheets", [])]
    sheet = next((p for p in sheets if p["title"] == title), None)
    if sheet is None:
        sheet_id = max((p["sheetId"] for p in sheets), default=0) + 1
        grid = {"rowCount": n_rows, "columnCount": n_cols}
        size = {
            "addSheet": {
                "properties": {
                    "sheetId": sheet_id,
                    "title": title,
                    "sheetType": "GRID",
                    "gridProperties": grid,
                }
            }
        }
    else:
        sheet_id = sheet["sheetId"]
        frozen = sheet.get("gridProperties", {}).get("frozenRowCount", 0)
        n_rows = max(n_rows, frozen + 1)
        size = {
            "updateSheetProperties": {
                "properties": {
                    "sheetId": sheet_id,
                    "gridProperties": {"rowCount": n_rows, "columnCount": n_cols},
                },
                "fields": "gridProperties/rowCount,gridProperties/columnCount",
            }
        }
    cells = {
        "updateCells": {
            "range": {
                "sheetId": sheet_id,
                "startRowIndex": 0,
                "endRowIndex": n_rows,
                "startColumnIndex": 0,
                "endColumnIndex": n_cols,
            },
            "rows": [{"values": [_cell_data(v) for v in row]} for row in values],
            "fields": "userEnteredValue",
        }
    }
    try:
        call(
            lambda: http.batch_update(key, {"requests": [size, cells]}),
            who=who,
            sleep=sleep,
            retry_server_errors=False,
        )
    except SheetsError as exc:
        cause = exc.__cause__
        if isinstance(cause, APIError) and 0 < _status(cause) < 500:
            # Google refused the request: nothing of it was applied.
            raise SheetsError(f"{exc} The '{title}' worksheet was left as it was.") from exc
        # No answer, or a server error: it may have been applied, but never in part.
        raise SheetsError(
            "Google Sheets did not confirm the push (it may be down, or the network dropped): "
            f"the '{title}' worksheet holds either its old contents or the new ones, never a "
            "mix. Open it to see which, and push again if needed."
        ) from exc
    return len(values) - 1
