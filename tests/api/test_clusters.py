"""Base URLs: presets, normalisation, and the addresses credentials must never be sent to."""

import pytest

from lib.api.clusters import CLUSTERS, is_loopback, resolve_base_url
from lib.api.errors import RequestValidationError


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("india", "https://apac.api.capillarytech.com"),
        ("apac2", "https://apac2.api.capillarytech.com"),
        ("eu", "https://eu.api.capillarytech.com"),
        ("EU", "https://eu.api.capillarytech.com"),
        (" us ", "https://us.api.capillarytech.com"),
        ("china", "https://api.capillarytech.cn.com"),
    ],
)
def test_presets(name, url):
    assert resolve_base_url(name) == url


def test_every_preset_is_https():
    assert all(c.base_url.startswith("https://") for c in CLUSTERS.values())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://eu.api.capillarytech.com/", "https://eu.api.capillarytech.com"),
        ("https://eucrm.cc.capillarytech.com//", "https://eucrm.cc.capillarytech.com"),
        ("https://EU.api.capillarytech.com", "https://eu.api.capillarytech.com"),
        ("https://eu.api.capillarytech.com/api_gateway/v1/badges/", "https://eu.api.capillarytech.com"),
        ("https://eu.api.capillarytech.com//api_gateway", "https://eu.api.capillarytech.com"),
        ("https://proxy.example.com//capillary//", "https://proxy.example.com/capillary"),
        ("https://host.example.com:8443/", "https://host.example.com:8443"),
        ("http://127.0.0.1:8600/", "http://127.0.0.1:8600"),
        ("http://localhost:8600", "http://localhost:8600"),
        ("http://[::1]:8600/", "http://[::1]:8600"),
        ("https://10.0.0.5", "https://10.0.0.5"),
    ],
)
def test_custom_urls_are_normalised(given, expected):
    assert resolve_base_url(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "mars",
        "eu.api.capillarytech.com",
        "http://eu.api.capillarytech.com",  # plain http off loopback
        "http://10.0.0.5:8600",
        "ftp://eu.api.capillarytech.com",
        "https://user:pass@eu.api.capillarytech.com",
        "https://user@eu.api.capillarytech.com",
        "https://eu.api.capillarytech.com/?x=1",
        "https://eu.api.capillarytech.com/#frag",
        "https://169.254.169.254",
        "http://169.254.169.254/latest/meta-data",
        "https://[fe80::1]",
        "https://[fd00:ec2::254]",
        "https://100.100.100.200",
        "https://[::ffff:169.254.169.254]",
        "https://metadata.google.internal",
        "https://2852039166",  # 169.254.169.254 as one number
        "https://0xa9.0xfe.0xa9.0xfe",
        "https://0.0.0.0",
        "https://eu.api.capillarytech.com:99999",
        "https://",
    ],
)
def test_unsafe_or_invalid_urls_are_refused(given):
    with pytest.raises(RequestValidationError) as info:
        resolve_base_url(given)
    assert info.value.problems[0].field == "base_url"


def test_refusing_a_url_with_credentials_does_not_repeat_them():
    with pytest.raises(RequestValidationError) as info:
        resolve_base_url("https://till:s3cret@eu.api.capillarytech.com")
    assert "s3cret" not in str(info.value)
    assert "s3cret" not in repr(info.value)


def test_is_loopback():
    assert is_loopback("http://127.0.0.1:8600")
    assert not is_loopback("https://eu.api.capillarytech.com")
