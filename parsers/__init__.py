"""Parsers: bytes of a report document → ``Report``. Pure functions: no network, no database,
no clock. ``parse`` picks the reader from the bytes, then runs the shared extractors."""

from parsers.errors import ParseError
from parsers.model import Cell, Finding, Report
from parsers.report import PARSER_VERSION, parse, parse_document

__all__ = ["PARSER_VERSION", "Cell", "Finding", "ParseError", "Report", "parse", "parse_document"]
