"""The reference ERP's own tests run on the session's server (``tests.erp_support``)."""

from __future__ import annotations

import pytest

from tests.erp_support import ErpClient


@pytest.fixture(scope="module")
def erp(erp_server) -> ErpClient:
    return erp_server.client()
