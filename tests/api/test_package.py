"""`lib.api` offers the whole client surface from one import, without making the models pull httpx."""

import subprocess
import sys
from pathlib import Path

import pytest

import lib.api

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_resolves():
    missing = [name for name in lib.api.__all__ if getattr(lib.api, name, None) is None]
    assert missing == []


def test_badges_client_is_the_client_class():
    from lib.api.client import BadgesClient

    assert lib.api.BadgesClient is BadgesClient


def test_importing_the_models_and_endpoints_does_not_load_httpx():
    code = "import sys, lib.api.models, lib.api.endpoints, lib.api; print('httpx' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchThing"):
        lib.api.NoSuchThing  # noqa: B018
