"""Faults: a locked SQLite store and an unreachable PostgreSQL show a clear message on the page (no
traceback) and the page is back as soon as the store answers; the CLI reports an interrupted
connection as a store error (exit 2). Each test uses a store of its own: a SQLite file, or a
PostgreSQL schema reached through a TCP relay the test stops and starts ("stop answering, then
answer again")."""
from __future__ import annotations

import os
import socket
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import event, text
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import Actor
from tests.conftest import PG_URL, ROOT, _drop_pg_schema, pg_reachable

APP = str(ROOT / "app.py")


class Relay:
    """A TCP relay 127.0.0.1:<port> → PostgreSQL that can stop answering (listener closed, every open
    connection cut) and answer again on the same port."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._listener = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(16)
        self._listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def _accept(self, ls):
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


def _seed(url):
    from lib.demo import load_demo

    eng = store.make_engine(url)
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        load_demo(s)
    eng.dispose()


def _app(actor=Actor("office", "office", display_name="项目办")):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["actor"] = actor
    return at


def _texts(at):
    return " ".join(e.value for e in at.error)


def _page_ok(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, _texts(at)
    assert any("驾驶舱总览" in m.value for m in at.markdown) and len(at.metric) >= 4, "the overview did not draw"


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    _seed(url)
    monkeypatch.setenv("COCKPIT_DB_URL", url)
    monkeypatch.setattr(store, "SQLITE_BUSY_SECONDS", 0.5)  # a locked file is noticed in half a second
    store.dispose_all()
    yield tmp_path / "faults.db"
    store.dispose_all()


def test_locked_sqlite_shows_a_message_then_the_page_comes_back(own_store):
    at = _app()
    at.run()
    _page_ok(at)
    # another program takes the file for itself (exclusive locking: even readers must wait); the
    # cockpit's idle pooled connections are closed first (they would keep the WAL index shared)
    store.dispose_all()
    holder = sqlite3.connect(own_store, timeout=5, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE settings SET value = value")
    try:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        msg = _texts(at)
        assert "暂时无法读取数据库" in msg and ("locked" in msg or "正忙" in msg), msg
        assert "Traceback" not in msg
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    at.run()  # what the page's probe does by itself every few seconds
    _page_ok(at)


@pytest.fixture
def relayed_pg(monkeypatch):
    if not pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable in CI")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = store.make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    _seed(f"{PG_URL}?options=-csearch_path%3D{schema}")
    relay = Relay()
    relay.start()
    base = PG_URL.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}")
    url = f"{base}?connect_timeout=3&options=-csearch_path%3D{schema}"
    monkeypatch.setenv("COCKPIT_DB_URL", url)
    store.dispose_all()
    yield relay, url
    relay.stop()
    store.dispose_all()
    _drop_pg_schema(schema)


def test_unreachable_postgresql_shows_a_message_then_the_page_comes_back(relayed_pg):
    relay, _url = relayed_pg
    at = _app()
    at.run()
    _page_ok(at)
    relay.stop()  # the database stops answering: open connections cut, new ones refused
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    msg = _texts(at)
    assert "暂时无法读取数据库" in msg, msg
    relay.start()  # and answers again
    at.run()
    _page_ok(at)


def test_cli_interrupted_connection_is_a_store_error(relayed_pg, monkeypatch, capsys):
    """The connection drops in the middle of a command (the relay is cut at the command's third
    statement): exit 2 with one line, not 内部错误 (exit 3)."""
    relay, url = relayed_pg
    from lib import cli

    eng = store.get_engine(url)

    seen = []

    @event.listens_for(eng, "before_cursor_execute")
    def cut(conn, cursor, statement, params, context, executemany):
        seen.append(statement)
        if len(seen) == 3:  # past the schema check, in the middle of the command's reads
            relay.stop()

    monkeypatch.delenv("COCKPIT_DEBUG", raising=False)
    code = cli.main(["lights", "--period", "2022-10"])
    err = capsys.readouterr().err
    assert len(seen) >= 3
    assert code == 2, err
    assert "内部错误" not in err and "数据库" in err and len(err.strip().splitlines()) == 1
