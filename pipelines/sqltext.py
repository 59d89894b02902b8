"""Quoting for the few SQL fragments built from export headings (values always go as parameters)."""


def quote_ident(name: str) -> str:
    '''A heading as a DuckDB identifier.

    >>> print(quote_ident('Date entered "MQL"'))
    "Date entered ""MQL"""
    '''
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """A string constant for SQL text that cannot take a parameter (ATTACH, read_csv paths).

    >>> print(sql_literal("it's"))
    'it''s'
    """
    return "'" + value.replace("'", "''") + "'"
