"""`backup` and `restore` on PostgreSQL: pg_dump and pg_restore, every row and every timestamp to
the microsecond, checked against the manifest; a restore that does not match is refused."""

import io
import json
import os
import subprocess
import sys
import tarfile

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from actions.models import Action, Evidence
from tests.tracker.test_backup import REPORT, history_of, make_site
from tests.tracker.test_settings import ROOT
from tracker.backup import PG_DUMP

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _url(name):
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def _server(sql):
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as server:
        server.execute(sql)


@pytest.fixture
def site(action, owner, opcc_officer, second_opcc_officer):
    return make_site(action, owner, opcc_officer, second_opcc_officer)


@pytest.fixture
def new_database():
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: pg_dump and pg_restore")
    name = f"{connection.settings_dict['NAME']}_restored"
    _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _server(f'CREATE DATABASE "{name}"')
    yield name
    _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(*args, database_url, media):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_ENV": "development",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _history_dates(url_or_connection):
    sql = "SELECT history_id, history_date FROM actions_historicalaction ORDER BY history_id"
    if isinstance(url_or_connection, str):
        with psycopg.connect(url_or_connection.replace("postgres://", "postgresql://", 1)) as db:
            return db.execute(sql).fetchall()
    with url_or_connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_a_site_comes_back_exact_through_pg_dump_and_pg_restore(site, new_database, tmp_path):
    archive = tmp_path / "tracker.tar"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "(pg_dump)" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", "database.dump"} <= set(names)
    assert any(name.startswith("media/") for name in names)
    assert manifest["format"] == PG_DUMP
    assert manifest["rows"]["actions_historicalaction"] == site.history.count()

    url = _url(new_database)
    restore = _manage("restore", str(archive), database_url=url, media=tmp_path / "media")
    assert restore.returncode == 0, restore.stderr[-3000:]
    assert "Restored" in restore.stdout

    # Every history timestamp to the microsecond (the JSON format cut them to milliseconds).
    source = _history_dates(connection)
    assert len(source) >= 5
    assert any(date.microsecond % 1000 for _, date in source)
    assert _history_dates(url) == source
    report = _manage("shell", "-c", REPORT, database_url=url, media=tmp_path / "media")
    restored = json.loads(report.stdout.strip().splitlines()[-1])
    evidence = Action.objects.get(pk=site.pk).evidence.get(kind=Evidence.Kind.DOCUMENT)
    assert restored["history"] == history_of(site)
    assert restored["file"] == "Audit: 94% compliant."
    assert restored["file_name"] == evidence.original_filename
    assert restored["owner_groups"] == ["Action owner"]

    again = _manage("restore", str(archive), database_url=url, media=tmp_path / "media")
    assert again.returncode != 0
    assert "already holds data" in again.stderr


def test_a_restore_that_differs_from_the_manifest_is_refused(site, new_database, tmp_path):
    archive = tmp_path / "tracker.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    # The manifest says one history timestamp was a microsecond later than the dump holds.
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(content)
                sums = manifest["timestamps"]["actions_historicalaction"]
                sums["history_date"] = str(int(sums["history_date"]) + 1)
                content = json.dumps(manifest).encode()
                member.size = len(content)
            target.addfile(member, io.BytesIO(content))

    url = _url(new_database)
    result = _manage("restore", str(tampered), database_url=url, media=tmp_path / "media")
    assert result.returncode != 0
    assert "differs from the backup" in result.stderr
    assert "actions_historicalaction" in result.stderr


def test_a_pg_dump_backup_is_not_loaded_into_sqlite(site, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: pg_dump")
    archive = tmp_path / "tracker.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    sqlite = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    result = _manage("restore", str(archive), database_url=sqlite, media=tmp_path / "media")
    assert result.returncode != 0
    assert "restore it into a PostgreSQL database" in result.stderr
