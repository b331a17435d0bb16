"""`make test` (tests/run_layers.py) fails when a model change has no migration."""

from tests import run_layers


def test_the_migrations_layer_passes_when_the_models_and_migrations_agree():
    assert run_layers.migrations_in_step() is True


def test_the_migrations_layer_fails_when_makemigrations_finds_a_change(monkeypatch):
    commands = []

    def makemigrations_reports_a_change(command, **kwargs):
        commands.append(command)
        return 1  # what `makemigrations --check` exits with when a migration is missing

    monkeypatch.setattr(run_layers.subprocess, "call", makemigrations_reports_a_change)
    assert run_layers.migrations_in_step() is False
    assert commands[0][1:] == ["manage.py", "makemigrations", "--check", "--dry-run"]


def test_the_postgres_layer_fuzzes_lighter_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delenv("FUZZ_EXAMPLES", raising=False)
    monkeypatch.setenv("SCHEMA_EXAMPLES", "40")
    env = run_layers.postgres_env("postgres://db/test")
    assert env["DATABASE_URL"] == "postgres://db/test"
    assert env["TEST_LAYER"] == "postgresql"  # tests that use no database are left out
    assert int(env["FUZZ_EXAMPLES"]) < 15  # the SQLite layer's default
    assert "SCHEMA_EXAMPLES" not in env  # the 40 asked for is inherited as it is


def test_the_audit_runs_beside_the_layers_and_its_verdict_is_kept(monkeypatch):
    monkeypatch.setattr(run_layers, "audit_dependencies", lambda: (False, "FAILED - x 1.0: CVE"))
    assert run_layers.audit_in_background()() == (False, "FAILED - x 1.0: CVE")


def test_the_postgres_layer_leaves_out_only_the_tests_that_use_no_database():
    from tests.conftest import uses_database

    class Item:
        def __init__(self, fixturenames, marked):
            self.fixturenames = fixturenames
            self.marked = marked

        def get_closest_marker(self, name):
            return object() if self.marked and name == "django_db" else None

    assert uses_database(Item(["db"], False))
    assert uses_database(Item(["client"], False))
    assert uses_database(Item([], True))
    assert not uses_database(Item(["tmp_path", "django_db_blocker"], False))
