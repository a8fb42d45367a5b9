"""The SQL pieces that differ between engines, kept in one place.

Cost policies compile to SQL (:mod:`engine.costs.sql`) that is plain ANSI except for what this
module writes: JSON access on ``Tags``, list functions with lambdas, regular expressions, glob
patterns, literals and timestamps arithmetic. Running the same policies on another engine (a Spark
warehouse holding enterprise FOCUS data) means writing one more class with these methods; nothing
else in the SQL generator names an engine-specific function.

The DuckDB class below is the one costwarden ships. DuckDB 2.x rejects the old ``x -> expr``
lambda syntax, so lambdas are written ``lambda x: expr``.
"""

from __future__ import annotations

from datetime import datetime


class DuckDBDialect:
    name = "duckdb"
    decimal = "DECIMAL(38,12)"  # money and quantities: exact, 12 decimal places
    fast_decimal = "DECIMAL(18,12)"  # the same values up to 999,999.999999999999, parsed faster

    # -- literals and names ---------------------------------------------------------------
    @staticmethod
    def string(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    @staticmethod
    def identifier(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def timestamp(self, value: datetime) -> str:
        return f"TIMESTAMP '{value.strftime('%Y-%m-%d %H:%M:%S')}'"

    # -- text -----------------------------------------------------------------------------
    @staticmethod
    def trim_whitespace(expr: str) -> str:
        """Remove space, tab, CR and LF at both ends."""
        return f"trim({expr}, ' \t\r\n')"

    def regex_search(self, expr: str, pattern: str) -> str:
        """True when ``pattern`` matches somewhere in ``expr`` (Python's ``re.search``)."""
        return f"regexp_matches({expr}, {self.string(pattern)})"

    def regex_replace(self, expr: str, pattern: str, replacement: str) -> str:
        """Replace the first match of ``pattern`` in ``expr``."""
        return f"regexp_replace({expr}, {self.string(pattern)}, {self.string(replacement)})"

    def glob_match(self, expr: str, pattern: str) -> str:
        """Shell-style ``*``, ``?`` and ``[...]`` over the whole value."""
        return f"({expr} GLOB {self.string(pattern)})"

    # -- JSON tags ------------------------------------------------------------------------
    @staticmethod
    def _pointer(key: str) -> str:
        return "/" + key.replace("~", "~0").replace("/", "~1")

    def json_member(self, tags: str, key: str) -> str:
        """The JSON value of member ``key`` (NULL when absent), key written exactly."""
        return f"json_extract({tags}, {self.string(self._pointer(key))})"

    def json_member_dynamic(self, tags: str, key_expr: str) -> str:
        """The JSON value of the member named by the text expression ``key_expr``."""
        return f"json_extract({tags}, '/' || replace(replace({key_expr}, '~', '~0'), '/', '~1'))"

    @staticmethod
    def json_keys(tags: str) -> str:
        return f"json_keys({tags})"

    @staticmethod
    def json_text(value: str) -> str:
        """A JSON string value as text (other kinds: their JSON text)."""
        return f"({value} ->> '$')"

    @staticmethod
    def json_tag_kind(value: str) -> str:
        """The kind of a JSON value as a tag value (:data:`engine.tag_matching.VALUE_KINDS`): ``'string'``,
        ``'true'``, ``'false'``, ``'integer'`` (a 64-bit integer) or ``'float'`` (a finite double, which
        DuckDB also makes of a larger integer); NULL when absent or invalid (null, a list, an object,
        an infinite number)."""
        # booleans compared as text: DuckDB does not short-circuit, and CAST fails on other kinds
        return (
            f"(CASE json_type({value}) WHEN 'VARCHAR' THEN 'string'"
            f" WHEN 'BOOLEAN' THEN (CASE WHEN ({value} ->> '$') = 'true' THEN 'true' ELSE 'false' END)"
            " WHEN 'BIGINT' THEN 'integer' WHEN 'UBIGINT' THEN 'integer'"
            f" WHEN 'DOUBLE' THEN (CASE WHEN isfinite(TRY_CAST({value} AS DOUBLE)) THEN 'float' END) END)"
        )

    @staticmethod
    def json_double_text(value: str) -> str:
        """A JSON number as the shortest text that reads back as the same double — the text Python's
        ``repr(float)`` gives (``1e+20``, ``2.5e-05``, ``100.0``)."""
        return f"CAST(TRY_CAST({value} AS DOUBLE) AS VARCHAR)"

    # -- lists ----------------------------------------------------------------------------
    @staticmethod
    def let(value: str, name: str, body: str) -> str:
        """``body`` with the variable ``name`` bound to ``value``, computed once: generated tag SQL reads a
        value several times, and writing the value out each time would multiply the text of the query."""
        return f"list_transform([{value}], lambda {name}: {body})[1]"

    @staticmethod
    def list_filter(list_expr: str, var: str, predicate: str) -> str:
        return f"list_filter({list_expr}, lambda {var}: {predicate})"

    @staticmethod
    def list_min(list_expr: str) -> str:
        """Smallest element in binary (code-point) order; NULL for an empty list."""
        return f"list_min({list_expr})"

    # -- lookup tables --------------------------------------------------------------------
    @staticmethod
    def create_key_table(connection, name: str, keys) -> None:
        """A temporary one-column table ``name (key VARCHAR)`` holding ``keys``, to join a query against."""
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} (key VARCHAR)")
        connection.execute(f"INSERT INTO {name} SELECT unnest(?)", [list(keys)])

    @staticmethod
    def drop_table(connection, name: str) -> None:
        connection.execute(f"DROP TABLE IF EXISTS {name}")

    # -- time -----------------------------------------------------------------------------
    @staticmethod
    def seconds_between(start: str, end: str) -> str:
        return f"(epoch({end}) - epoch({start}))"


DIALECTS = {"duckdb": DuckDBDialect}  # name -> dialect: the cost snapshot (engine.costs.reader) is read through one
