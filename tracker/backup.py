"""A portable backup: the whole database (history included) as Django JSON plus the private media
folder, in one .tar.gz; and its restore into a new, empty database on any supported engine.

pg_dump is the usual way on PostgreSQL (docs/deploy.md section 7); this path also works for the
SQLite default, and moves a site between SQLite and PostgreSQL. The archive holds:

    manifest.json   when, from which engine, the rows per table (checked after a restore)
    data.json       `dumpdata` of every table except those migrate rebuilds
    media/...       every file under MEDIA_ROOT (evidence, pack PDFs, pending imports)
"""

import io
import json
import shutil
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
# Rebuilt by migrate (content types, permissions, the role groups with their permissions) or not
# worth restoring (sessions: everyone signs in again). Users keep their groups: a user's groups
# are written by name.
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


def backup_create(path):
    """Write the archive to `path`; returns the manifest."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data.json"
        # One read-only snapshot, so the rows of every table agree with each other even while
        # people keep working (unless the caller's transaction is already under way).
        with _snapshot(), transaction.atomic():
            call_command(
                "dumpdata",
                *[f"-e={label}" for label in EXCLUDED],
                natural_foreign=True,
                output=str(data),
                verbosity=0,
            )
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "engine": connection.vendor,
                "rows": row_counts(),
            }
        # Files after the rows: every file a row names was there before the rows were read.
        media = Path(settings.MEDIA_ROOT)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest["files"] = len(files)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            archive.add(data, arcname="data.json")
            for file in files:
                archive.add(file, arcname=f"media/{file.relative_to(media).as_posix()}")
    return manifest


def _is_empty():
    return not any(model._default_manager.exists() for model in _models())


def backup_restore(path):
    """Load the archive at `path` into this (migrated, empty) database and MEDIA_ROOT."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    if not _is_empty():
        raise BackupError(
            "This database already holds data. Restore only into a new, empty database "
            "(create it, run `manage.py migrate`, then restore)."
        )
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        try:
            with tarfile.open(path, "r:gz") as archive:
                # The "data" filter refuses absolute paths, "..", links out of the folder and
                # device files: a crafted archive cannot write outside the scratch folder.
                archive.extractall(scratch, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"{path} is not a readable backup: {error}") from None
        try:
            manifest = json.loads((scratch / "manifest.json").read_text())
        except (OSError, ValueError):
            raise BackupError(f"{path} has no manifest: it is not a tracker backup.") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path} is a backup format this version cannot read.")
        with transaction.atomic():
            call_command("loaddata", str(scratch / "data.json"), verbosity=0)
            restored = row_counts()
            wrong = {
                label: (count, restored.get(label))
                for label, count in manifest["rows"].items()
                if restored.get(label) != count
            }
            if wrong:
                # Rolled back: a partial restore is worse than none.
                raise BackupError(f"Rows differ after loading (expected, found): {wrong}")
        media = Path(settings.MEDIA_ROOT)
        source = scratch / "media"
        if source.is_dir():
            shutil.copytree(source, media, dirs_exist_ok=True)
    return manifest
