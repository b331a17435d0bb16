"""Backups: the whole database (history included) plus the private media folder in one archive,
and its restore into a new, empty database, checked against the archive's manifest.

Two formats, chosen by the database being backed up:

- PostgreSQL (format 2): `pg_dump --format=custom`, restored with `pg_restore`. Exact to the
  microsecond, streamed rather than held in memory, and minutes rather than hours at national
  scale (docs/performance.md). The manifest holds each table's row count and, per timestamp
  column, the sum of its values in microseconds, both read in the snapshot pg_dump copies, so a
  restore proves it brought back every row and every timestamp unchanged.
- Django JSON (format 1, "portable"): `dumpdata` with natural keys. The SQLite default has no
  pg_dump, and this is also how a site moves between SQLite and PostgreSQL. Timestamps are cut
  to milliseconds and it is slow past a few thousand actions.

Every archive holds:

    manifest.json     format, when, from which engine, the rows per table (checked on restore)
    database.dump     format 2: pg_dump's custom-format file
    data.json         format 1: `dumpdata` of every table except those migrate rebuilds
    media/...         every file under MEDIA_ROOT (evidence, pack PDFs, pending imports)
"""

import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

PORTABLE = 1
PG_DUMP = 2
# Rebuilt by migrate (content types, permissions, the role groups with their permissions) or not
# worth restoring (sessions: everyone signs in again). Users keep their groups: a user's groups
# are written by name. The pg_dump format copies these too: it is the whole database.
EXCLUDED = ["contenttypes", "auth.permission", "auth.group", "sessions"]


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why."""


def _models():
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label for label in EXCLUDED if "." in label}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded_apps or label in excluded_models:
            continue
        if not model._meta.managed or model._meta.proxy:
            continue
        yield model


def row_counts():
    return {model._meta.label_lower: model._default_manager.count() for model in _models()}


def _add_bytes(archive, name, content):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(content))


@contextmanager
def _snapshot():
    """On PostgreSQL, the next transaction reads one repeatable, read-only snapshot (psycopg's
    connection settings, restored afterwards). SQLite's WAL reader sees one snapshot anyway."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    before = raw.isolation_level, raw.read_only
    raw.isolation_level, raw.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
    try:
        yield
    finally:
        raw.isolation_level, raw.read_only = before


def _media_files():
    media = Path(settings.MEDIA_ROOT)
    return media, sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []


def backup_create(path, *, portable=False):
    """Write the archive to `path`; returns the manifest. PostgreSQL is copied with pg_dump
    unless `portable` asks for Django JSON (to move the site to SQLite)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    use_pg_dump = connection.vendor == "postgresql" and not portable
    if use_pg_dump and connection.in_atomic_block:
        # pg_dump is another session: it sees committed rows only, in the snapshot we export.
        raise BackupError("A pg_dump backup runs outside a transaction, on committed data.")
    # Scratch space beside the archive: the dump can be large, and /tmp is often small.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as scratch:
        # One read-only snapshot, so the rows of every table agree with each other even while
        # people keep working (unless the caller's transaction is already under way).
        with _snapshot(), transaction.atomic():
            if use_pg_dump:
                data, manifest = _pg_dump(Path(scratch) / "database.dump")
            else:
                data, manifest = _dumpdata(Path(scratch) / "data.json")
        # Files after the rows: every file a row names was there before the rows were read.
        media, files = _media_files()
        manifest["files"] = len(files)
        # The pg_dump file is compressed already; gzip only if the name asks for it.
        mode = "w:gz" if path.suffix in {".gz", ".tgz"} else "w"
        options = {"compresslevel": 1 if use_pg_dump else 9} if mode == "w:gz" else {}
        with tarfile.open(path, mode, **options) as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            archive.add(data, arcname=data.name)
            for file in files:
                archive.add(file, arcname=f"media/{file.relative_to(media).as_posix()}")
    return manifest


def _manifest(format_, **fields):
    return {
        "format": format_,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        **fields,
    }


def _dumpdata(data):
    call_command(
        "dumpdata",
        *[f"-e={label}" for label in EXCLUDED],
        natural_foreign=True,
        output=str(data),
        verbosity=0,
    )
    return data, _manifest(PORTABLE, rows=row_counts())


def _is_empty():
    return not any(model._default_manager.exists() for model in _models())


def backup_restore(path):
    """Load the archive at `path` into this new, empty database and MEDIA_ROOT.

    A portable archive needs the database migrated (done here) and empty; a pg_dump archive
    needs a PostgreSQL database with no tables at all (it brings its own, then is migrated)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    if not _no_tables() and not _is_empty():
        raise BackupError(
            "This database already holds data. Restore only into a new, empty database "
            "(create it, then restore)."
        )
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        try:
            with tarfile.open(path, "r:*") as archive:
                # The "data" filter refuses absolute paths, "..", links out of the folder and
                # device files: a crafted archive cannot write outside the scratch folder.
                archive.extractall(scratch, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"{path} is not a readable backup: {error}") from None
        try:
            manifest = json.loads((scratch / "manifest.json").read_text())
        except (OSError, ValueError):
            raise BackupError(f"{path} has no manifest: it is not a tracker backup.") from None
        if manifest.get("format") == PORTABLE:
            _loaddata(scratch / "data.json", manifest)
        elif manifest.get("format") == PG_DUMP:
            _pg_restore(scratch / "database.dump", manifest)
        else:
            raise BackupError(f"{path} is a backup format this version cannot read.")
        source = scratch / "media"
        if source.is_dir():
            shutil.copytree(source, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    return manifest


def _no_tables():
    return not connection.introspection.table_names()


def _loaddata(data, manifest):
    call_command("migrate", interactive=False, verbosity=0)
    if not _is_empty():
        raise BackupError("This database already holds data.")
    with transaction.atomic():
        call_command("loaddata", str(data), verbosity=0)
        restored = row_counts()
        wrong = {
            label: (count, restored.get(label))
            for label, count in manifest["rows"].items()
            if restored.get(label) != count
        }
        if wrong:
            # Rolled back: a partial restore is worse than none.
            raise BackupError(f"Rows differ after loading (expected, found): {wrong}")


# PostgreSQL: pg_dump and pg_restore


def _server_major():
    connection.ensure_connection()
    return connection.pg_version // 10000


def pg_tool(name, server_major):
    """The path of `name` (pg_dump, pg_restore) of the server's major version.

    Debian and Ubuntu install each version's tools under /usr/lib/postgresql/N/bin, so a machine
    with several finds the right one there; otherwise the one on PATH, if its version matches:
    an older pg_dump refuses a newer server, and an older pg_restore cannot read a newer dump.
    """
    found = []
    for candidate in [f"/usr/lib/postgresql/{server_major}/bin/{name}", shutil.which(name)]:
        if candidate and os.access(candidate, os.X_OK):
            major = _tool_major(candidate)
            if major == server_major:
                return candidate
            found.append(f"{candidate} is version {major}")
    install = (
        f"install the PostgreSQL {server_major} client tools (on Debian or Ubuntu the "
        f"postgresql-client-{server_major} package)"
    )
    if not found:
        raise BackupError(
            f"{name} is not installed (not on PATH): {install}, or use `backup --portable` "
            "(Django JSON: slow at scale)."
        )
    raise BackupError(
        f"{name} must match the database server, PostgreSQL {server_major}, but "
        f"{'; '.join(found)}: {install}."
    )


def _tool_major(tool):
    # A path we found ourselves, not outside input.
    result = subprocess.run(  # noqa: S603
        [tool, "--version"], capture_output=True, text=True, timeout=30
    )
    match = re.search(r"\)\s+(\d+)", result.stdout)
    return int(match.group(1)) if match else None


def _libpq_env():
    """Connect pg_dump and pg_restore as Django does, the password in the environment (never on
    a command line, where `ps` would show it)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, value in [("PGHOST", db["HOST"]), ("PGPORT", db["PORT"]), ("PGUSER", db["USER"])]:
        if value:
            env[key] = str(value)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    options = db.get("OPTIONS", {})
    for option, key in [("sslmode", "PGSSLMODE"), ("connect_timeout", "PGCONNECT_TIMEOUT")]:
        if option in options:
            env[key] = str(options[option])
    return env


def _run(command, what):
    # The tool found by pg_tool and options built here: no outside input.
    result = subprocess.run(command, env=_libpq_env(), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def _timestamp_columns():
    """{table: [timestamp columns]} for every table Django knows, many-to-many ones included."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables[model._meta.db_table] = [
                field.column
                for field in model._meta.concrete_fields
                if isinstance(field, models.DateTimeField)
            ]
    return tables


def _fingerprint(tables):
    """Rows per table, and per timestamp column the sum of its values in microseconds: a lost
    row or a timestamp cut to milliseconds changes it. One scan of each table."""
    rows, timestamps = {}, {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in sorted(tables.items()):
            sums = [
                f"sum((extract(epoch from {quote(column)}) * 1000000)::bigint)::text"
                for column in columns
            ]
            cursor.execute(f"SELECT {', '.join(['count(*)', *sums])} FROM {quote(table)}")  # noqa: S608
            count, *values = cursor.fetchone()
            rows[table] = count
            if columns:
                timestamps[table] = dict(zip(columns, values, strict=True))
    return rows, timestamps


def _pg_dump(data):
    tool = pg_tool("pg_dump", _server_major())
    with connection.cursor() as cursor:
        # pg_dump copies exactly the snapshot the manifest's counts are read in.
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    rows, timestamps = _fingerprint(_timestamp_columns())
    _run([tool, "--format=custom", f"--snapshot={snapshot}", f"--file={data}"], "pg_dump")
    manifest = _manifest(
        PG_DUMP,
        server_version=connection.pg_version,
        rows=rows,
        timestamps=timestamps,
    )
    return data, manifest


def _pg_restore(data, manifest):
    if connection.vendor != "postgresql":
        raise BackupError(
            "This backup was made with pg_dump: restore it into a PostgreSQL database (a "
            "portable backup, `backup --portable`, restores anywhere)."
        )
    if not _no_tables():
        raise BackupError(
            "A pg_dump backup restores into a new database with no tables: create it and "
            "restore, without running migrate first."
        )
    tool = pg_tool("pg_restore", _server_major())
    # One transaction: a restore that fails part way leaves the database as empty as it was.
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(data),
        ],
        "pg_restore",
    )
    tables = {table: list(manifest["timestamps"].get(table, {})) for table in manifest["rows"]}
    rows, timestamps = _fingerprint(tables)
    wrong = {
        table: "rows" if rows[table] != count else "timestamps"
        for table, count in manifest["rows"].items()
        if rows[table] != count or timestamps.get(table) != manifest["timestamps"].get(table)
    }
    if wrong:
        raise BackupError(
            f"The restored database differs from the backup ({wrong}): do not use it. Drop it, "
            "check the archive and restore again."
        )
    # pg_restore brings no planner statistics: without them the first queries on the big tables
    # pick poor plans until autovacuum gets round to them (docs/performance.md).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # A newer release than the backup brings its own migrations.
    call_command("migrate", interactive=False, verbosity=0)
