import functools
import http.server
import shutil
import threading

import pytest

from atout.engine import sources


@pytest.fixture
def mirror_server(data_dir):
    """A real HTTP server on loopback serving the offline mirror, standing in for the publishers."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(data_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_it_prefers_the_offline_mirror(data_dir, tmp_path):
    path = sources.locate("geo/cog-departements-2025.csv", data_dir=data_dir, cache_dir=tmp_path)
    assert path == data_dir / "geo/cog-departements-2025.csv"


def test_it_downloads_into_the_cache_with_progress_and_checksum(mirror_server, tmp_path):
    seen = []
    path = sources.locate(
        "geo/cog-departements-2025.csv", data_dir="", cache_dir=tmp_path, base_url=mirror_server,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert path == tmp_path / "geo/cog-departements-2025.csv"
    assert sources.sha256_of(path) == sources.SOURCES["geo/cog-departements-2025.csv"].sha256
    assert seen and seen[-1][0] == path.stat().st_size
    assert not list(tmp_path.rglob("*.part"))


def test_it_refuses_a_file_whose_checksum_differs(data_dir, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(data_dir / "geo", mirror / "geo")
    (mirror / "geo/cog-departements-2025.csv").chmod(0o644)
    with (mirror / "geo/cog-departements-2025.csv").open("a") as handle:
        handle.write("99,99,99999,0,X,X,X\n")
    with pytest.raises(sources.SourceUnavailable, match="checksum mismatch"):
        sources.locate("geo/cog-departements-2025.csv", data_dir=mirror, cache_dir=tmp_path / "cache")


def test_offline_without_mirror_it_says_what_is_missing_and_how_to_provide_it(tmp_path):
    with pytest.raises(sources.SourceUnavailable, match="set ATOUT_DATA_DIR"):
        sources.locate("geo/epcicom-2025.xlsx", data_dir="", cache_dir=tmp_path, download=False)


def test_a_failed_download_leaves_nothing_behind(tmp_path):
    with pytest.raises(sources.SourceUnavailable, match="download from http://127.0.0.1:9/"):
        sources.locate("geo/epcicom-2025.xlsx", data_dir="", cache_dir=tmp_path, base_url="http://127.0.0.1:9")
    assert all(p.is_dir() for p in tmp_path.rglob("*"))
