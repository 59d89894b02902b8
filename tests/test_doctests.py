"""The examples in docstrings of pure helpers run as tests."""

import doctest

import pytest

from pipelines import metrics, sqltext


@pytest.mark.parametrize("module", [metrics, sqltext])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0
