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
    def json_kind(value: str) -> str:
        """The JSON type of a value: VARCHAR, BOOLEAN, NULL, OBJECT, ARRAY or a number type."""
        return f"json_type({value})"

    @staticmethod
    def json_text(value: str) -> str:
        """A JSON string value as text (other kinds: their JSON text)."""
        return f"({value} ->> '$')"

    @staticmethod
    def json_is_true(value: str) -> str:
        # compared as text: DuckDB does not short-circuit AND, and CAST fails on other kinds
        return f"(json_type({value}) = 'BOOLEAN' AND ({value} ->> '$') = 'true')"

    @staticmethod
    def json_is_string(value: str) -> str:
        return f"(json_type({value}) = 'VARCHAR')"

    @staticmethod
    def json_is_number(value: str) -> str:
        return f"(json_type({value}) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT'))"

    # -- lists ----------------------------------------------------------------------------
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
