"""A stack's parameters: the values given, else each one's Default; no others."""

from __future__ import annotations

import pytest

from sam_template.application import load_application
from sam_template.document import TEMPLATE_PATH


def test_unknown_parameters_are_refused():
    with pytest.raises(ValueError, match="NoSuchParameter"):
        load_application(TEMPLATE_PATH, "us-east-1", {"NoSuchParameter": "x"})
