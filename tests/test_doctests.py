"""The examples in docstrings of pure helpers run as tests."""

import doctest

import pytest

from dashboard import format as dashboard_format
from pipelines import access, metrics, okr_confidence, okr_scores, okr_workbook, sqltext


@pytest.mark.parametrize("module", [access, metrics, okr_confidence, okr_scores, okr_workbook, sqltext, dashboard_format])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
