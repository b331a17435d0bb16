"""`manage.py backup` and `manage.py restore`, the portable (Django JSON) format: a site with
history and an evidence file, backed up from the test database and restored by another process
into a new, empty SQLite database and media folder, comes back whole: every row, every history
row with its user and reason, and the file's bytes. (PostgreSQL's pg_dump format:
tests/test_backup_postgres.py.)"""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from actions import evidence_services, services
from actions.models import Action, Evidence
from tests.factories import ForceFactory, MeetingFactory, OfficeFactory, UserFactory
from tests.tracker.test_settings import ROOT
from tracker import backup, roles
from tracker.backup import BackupError, backup_create, backup_restore
from tracker.models import Office

pytestmark = pytest.mark.django_db

REPORT = """
import json
from actions.models import Action, Evidence
from reports.models import Meeting
from tracker.models import Office, User
action = Action.objects.get(title="Supervision audit")
evidence = Evidence.objects.get(action=action, kind="document")
print(json.dumps({
    "history": [
        [h.history_user.username if h.history_user else None, h.history_change_reason, h.status]
        for h in action.history.order_by("history_id")
    ],
    "deadline": str(action.deadline),
    "original_deadline": str(action.original_deadline),
    "file": evidence.file.open("rb").read().decode(),
    "file_name": evidence.original_filename,
    "owner_groups": sorted(User.objects.get(username="owner").groups.values_list("name", flat=1)),
    "offices": [
        [o.slug, o.name, o.contact_email, o.history.count(),
         sorted(o.forces.values_list("name", flat=True)),
         sorted(o.users.values_list("username", flat=True)),
         sorted(o.meetings.values_list("title", flat=True))]
        for o in Office.objects.order_by("slug")
    ],
}))
"""


@pytest.fixture
def site(action, owner, opcc_officer, second_opcc_officer):
    return make_site(action, owner, opcc_officer, second_opcc_officer)


def make_site(action, owner, opcc_officer, second_opcc_officer):
    """An action taken through its workflow (so it has history) with an uploaded file."""
    action.title = "Supervision audit"
    action.save()
    action = Action.objects.get(pk=action.pk)
    services.action_change_deadline(
        by=opcc_officer, action=action, deadline=action.deadline.replace(year=2031), reason="Ill"
    )
    services.action_propose_closure(
        by=owner, action=Action.objects.get(pk=action.pk), narrative="Done."
    )
    evidence = evidence_services.evidence_add(
        by=owner,
        action=Action.objects.get(pk=action.pk),
        kind=Evidence.Kind.DOCUMENT,
        title="Audit report",
        file=SimpleUploadedFile("audit.txt", b"Audit: 94% compliant."),
        original_filename="audit.txt",
        content_type="text/plain",
    )
    evidence_services.evidence_assure(by=opcc_officer, evidence=evidence, note="Read it.")
    services.action_close(
        by=second_opcc_officer, action=Action.objects.get(pk=action.pk), closure_summary="Done."
    )
    MeetingFactory()
    # A second office, with its force, its OPCC officer and its own meeting.
    office = OfficeFactory(
        name="Office of the Police and Crime Commissioner for Bedfordshire",
        slug="bedfordshire",
        contact_email="enquiries@bedfordshire.example",
    )
    ForceFactory(name="Bedfordshire Police", office=office)
    UserFactory(username="opcc-beds", role=roles.OPCC_STAFF, office=office)
    MeetingFactory(office=office, title="Bedfordshire APM")
    return Action.objects.get(pk=action.pk)


def offices_of_site():
    """The REPORT's "offices", read from this database."""
    return [
        [
            o.slug,
            o.name,
            o.contact_email,
            o.history.count(),
            sorted(o.forces.values_list("name", flat=True)),
            sorted(o.users.values_list("username", flat=True)),
            sorted(o.meetings.values_list("title", flat=True)),
        ]
        for o in Office.objects.order_by("slug")
    ]


def history_of(action):
    return [
        [h.history_user.username if h.history_user else None, h.history_change_reason, h.status]
        for h in action.history.order_by("history_id")
    ]


def test_a_site_backed_up_is_restored_whole_into_a_new_database(site, tmp_path):
    archive = tmp_path / "tracker.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), "--portable", stdout=out)
    assert f"to {archive}" in out.getvalue()

    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    assert "Restored" in manage("restore", str(archive))
    restored = json.loads(manage("shell", "-c", REPORT).strip().splitlines()[-1])
    evidence = site.evidence.get(kind=Evidence.Kind.DOCUMENT)
    assert restored == {
        "history": history_of(site),
        "deadline": str(site.deadline),
        "original_deadline": str(site.original_deadline),
        "file": "Audit: 94% compliant.",
        "file_name": evidence.original_filename,
        "owner_groups": ["Action owner"],
        "offices": offices_of_site(),
    }
    assert [office[0] for office in restored["offices"]] == ["bedfordshire", "testshire"]
    assert ["Bedfordshire Police"] in [office[4] for office in restored["offices"]]
    assert len(restored["history"]) >= 5  # created, deadline, proposed, closed...

    # A second restore into the now-full database is refused and changes nothing.
    again = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode != 0
    assert "already holds data" in again.stderr


def test_restore_refuses_a_database_that_holds_data(site, tmp_path):
    archive = tmp_path / "tracker.tar.gz"
    manifest = backup_create(archive, portable=True)
    assert manifest["rows"]["actions.historicalaction"] == site.history.count()
    assert manifest["files"] >= 1
    with pytest.raises(BackupError, match="already holds data"):
        backup_restore(archive)


def test_a_crafted_archive_cannot_write_outside_its_folder(tmp_path, settings, db, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The restore unpacks into a temporary folder: make it tmp_path/scratch/<name>, so the
    # member below would land at tmp_path/outside.txt if it were let through.
    (tmp_path / "scratch").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        content = b"owned"
        info = tarfile.TarInfo("../../outside.txt")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    with pytest.raises(BackupError, match="not a readable backup"):
        backup_restore(archive)
    assert not (tmp_path / "outside.txt").exists()
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_file_that_is_not_a_backup_is_refused_with_a_reason(tmp_path, db):
    archive = tmp_path / "notes.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(BackupError, match="no manifest"):
        backup_restore(archive)


def test_a_missing_pg_dump_is_named_with_the_package_to_install(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match=r"pg_dump is not installed.*postgresql-client-99"):
        backup.pg_tool("pg_dump", 99)


def test_a_pg_restore_of_another_version_than_the_server_is_refused():
    if shutil.which("pg_restore") is None:
        pytest.skip("no pg_restore on this machine")
    with pytest.raises(BackupError, match=r"must match the database server, PostgreSQL 99, but"):
        backup.pg_tool("pg_restore", 99)
