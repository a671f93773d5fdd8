from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.config import KnowledgeConfig, parse_server_url
from knowledge.errors import KnowledgeConfigError


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8123", ("localhost", 8123, False)),
        ("http://chroma", ("chroma", 8000, False)),
        ("https://kb.example.org/", ("kb.example.org", 443, True)),
        (" http://10.0.0.2:9000 ", ("10.0.0.2", 9000, False)),
    ],
)
def test_parse_server_url(url: str, expected: tuple[str, int, bool]) -> None:
    assert parse_server_url(url) == expected


@pytest.mark.parametrize(
    "url", ["localhost:8000", "ftp://host:1", "http://", "http://h:99999", "http://h:1/api"]
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(KnowledgeConfigError):
        parse_server_url(url)


def test_config_needs_exactly_one_location_and_sane_chunks(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeConfigError, match="exactly one"):
        KnowledgeConfig()
    with pytest.raises(KnowledgeConfigError, match="exactly one"):
        KnowledgeConfig(path=tmp_path, url="http://h:1")
    with pytest.raises(KnowledgeConfigError, match="chunk_overlap"):
        KnowledgeConfig(path=tmp_path, chunk_size=100, chunk_overlap=60)
    with pytest.raises(KnowledgeConfigError, match="chunk_size"):
        KnowledgeConfig(path=tmp_path, chunk_size=10, chunk_overlap=0)
    assert KnowledgeConfig(url="http://h:1").path is None
