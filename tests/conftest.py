import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True)
def private_response_cache(tmp_path_factory, monkeypatch):
    """Each test starts with an empty inspect response cache of its own. inspect keys a cached answer
    by the model's base URL among other things, and the scripted servers listen on whatever port the
    OS hands out: with the machine-wide cache (~/.cache/inspect_ai, 3,695 entries on the dev machine
    from earlier runs), a test whose server got a port an earlier run of the same request had used
    was answered from that run's entry, and recorded no API call (a rare failure of
    test_what_the_log_keeps_besides_the_transcript[both-on], seen twice). Tests that need a cache
    across runs set their own folder."""
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path_factory.mktemp("inspect-cache")))
