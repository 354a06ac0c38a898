"""A list of values bound as one JSON parameter: one statement, whatever the list's length."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

# Why not `column.in_([...])`: that binds one parameter per value, so each length is a statement
# of its own, and each connection's statement cache (SQLite's 128, asyncpg's 100) keeps them
# compiled: a list that grows to thousands cost tens of MiB a connection (issue #24).


class _Strings(FunctionElement[Any]):
    """The strings of a JSON array as rows of one column, `value`."""

    inherit_cache = True
    name = "strings"


@compiles(_Strings)
def _sqlite(element: _Strings, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_Strings, "postgresql")
def _postgresql(element: _Strings, compiler: SQLCompiler, **kw: Any) -> str:
    # A function returning one column, aliased: the column takes the alias's name.
    array = compiler.process(element.clauses, **kw)
    return f"jsonb_array_elements_text(CAST({array} AS JSONB)) AS value"


def listed(values: Iterable[str]) -> Select[Any]:
    """`values` as a subquery for IN and NOT IN, bound as a single parameter."""
    return select(literal_column("value")).select_from(_Strings(json.dumps(list(values))))
