"""Exports: tables as CSV or Sheet values, with spreadsheet formula injection made inert."""

from __future__ import annotations

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """A cell value a spreadsheet will not run: text starting = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell made inert."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(inert)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads accents) of an inert copy of the table."""
    return inert_frame(frame).to_csv(index=False).encode("utf-8-sig")
