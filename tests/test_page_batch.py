"""Pages read the database in one trip (common._batch) and read what depends only on the
snapshot once (common._snapshot_memo)."""

from __future__ import annotations

import asyncio
import shutil

import pytest
from datasette.database import QueryInterrupted

from kb.web.app import make_datasette
from kb.web.pages import common


def trips(ds, paths: list[str]) -> list[int]:
    """How many times each page sends work to a thread (Datasette's SQL threads or the pages' own), after start-up."""
    async def run():
        await ds.invoke_startup()
        db = ds.get_database()
        calls = []
        execute_fn = db.execute_fn

        async def counting(fn):
            calls.append(fn)
            return await execute_fn(fn)

        db.execute_fn = counting
        page_trip = common._page_trip

        async def counting_pages(db, run):
            calls.append(run)
            return await page_trip(db, run)

        common._page_trip = counting_pages
        out = []
        try:
            for path in paths:
                calls.clear()
                r = await ds.client.get(path)
                assert r.status_code == 200, (path, r.status_code)
                out.append(len(calls))
        finally:
            common._page_trip = page_trip
        return out
    return asyncio.run(run())


def test_instrument_and_country_pages_make_one_trip(built_db):
    ds = make_datasette(built_db, cache_mb=0)
    assert trips(ds, ["/instrument/CAT", "/instrument/C029", "/country/PRK", "/country/FRA?as_of=2010-01-01",
                      "/instrument/CAT/maps", "/instrument/CEDAW/article/16"]) == [1, 1, 1, 1, 1, 1]


def test_snapshot_constants_are_read_once_and_not_on_a_mutable_database(built_db, tmp_path):
    async def reads(ds) -> int:
        db = ds.get_database()
        n = 0

        async def make():
            nonlocal n
            n += 1
            return n

        for _ in range(3):
            await common._snapshot_memo(db, "probe", make)
        return n

    assert asyncio.run(reads(make_datasette(built_db))) == 1
    mutable = tmp_path / "kb.db"
    shutil.copy(built_db, mutable)
    from datasette.app import Datasette

    assert asyncio.run(reads(Datasette(files=[str(mutable)]))) == 3


def test_a_batch_is_held_to_the_time_limit(built_db):
    ds = make_datasette(built_db, settings={"sql_time_limit_ms": 20})
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"

    async def run():
        db = ds.get_database()
        assert await common._batch(db, lambda q: q.one("SELECT 1 AS one")) == {"one": 1}
        await common._batch(db, lambda q: q.rows(slow))

    with pytest.raises(QueryInterrupted):
        asyncio.run(run())
