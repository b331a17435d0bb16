"""The deployment files agree with the code: every variable documented, every process declared."""

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
GUIDE = (ROOT / "docs" / "deploy.md").read_text()


def variables_read():
    """Every environment variable the app, its processes and its scripts read."""
    settings = (ROOT / "tracker" / "settings.py").read_text()
    names = set(re.findall(r'(?:env(?:_\w+)?|required_in_production)\(\s*"([A-Z_]+)"', settings))
    names |= set(
        re.findall(
            r'os\.environ(?:\.get)?[\[(]"([A-Z_]+)"', (ROOT / "gunicorn.conf.py").read_text()
        )
    )
    names |= set(re.findall(r"\$\{([A-Z_]+):-", (ROOT / "Procfile").read_text()))
    names |= set(
        re.findall(r"\$\{(PROD_LOCAL_[A-Z_]+):-", (ROOT / "bin" / "prod-local").read_text())
    )
    from tracker.management.commands.create_admin_from_env import VARIABLES

    return names | set(VARIABLES)


def test_the_scan_finds_the_variables_it_should():
    found = variables_read()
    assert {"SECRET_KEY", "SENTRY_DSN", "WEB_CONCURRENCY", "TRACKER_ADMIN_PASSWORD"} <= found
    assert {"PROD_LOCAL_DATABASE_URL", "CELERY_BEAT_SCHEDULE_FILE"} <= found


def test_every_variable_is_in_env_example_and_the_deploy_guide():
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", ENV_EXAMPLE, re.MULTILINE))
    assert variables_read() - listed == set()
    assert {name for name in variables_read() if f"`{name}`" not in GUIDE} == set()


def test_the_procfile_declares_web_worker_and_beat():
    processes = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert processes["web"] == "gunicorn tracker.wsgi"
    assert processes["worker"].startswith("celery -A tracker worker")
    assert processes["beat"].startswith("celery -A tracker beat")
    assert processes["release"] == "python manage.py migrate --noinput"


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("tracker-web.service", "gunicorn tracker.wsgi"),
        ("tracker-worker.service", "celery -A tracker worker"),
        ("tracker-beat.service", "celery -A tracker beat"),
        ("tracker-heartbeat.service", "manage.py check_sweep_heartbeat"),
    ],
)
def test_the_systemd_units_run_the_same_processes(unit, command):
    text = (ROOT / "docs" / "deploy" / unit).read_text()
    assert "EnvironmentFile=/etc/tracker/tracker.env" in text
    assert command in text


def test_gunicorn_accepts_its_configuration():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--check-config", "tracker.wsgi"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.test_settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tracker_manage_reads_the_env_file_as_systemd_does(tmp_path):
    env_file = tmp_path / "tracker.env"
    env_file.write_text(
        "# comment\n"
        "DEFAULT_FROM_EMAIL=OPCC action tracker <tracker@example.org>\n"
        'SITE_URL="https://tracker.example.org"\n'
        "LOG_LEVEL=DEBUG\n"
    )
    names = "['DEFAULT_FROM_EMAIL', 'SITE_URL', 'LOG_LEVEL']"
    code = f"import os; print(*(os.environ[name] for name in {names}))"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "tracker-manage"), "shell", "--no-imports", "-c", code],
        cwd=tmp_path,  # works from any folder
        env={**os.environ, "TRACKER_ENV_FILE": str(env_file), "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Spaces kept, quotes removed, and a variable already set (LOG_LEVEL) wins.
    assert result.stdout.strip() == (
        "OPCC action tracker <tracker@example.org> https://tracker.example.org WARNING"
    )


def gunicorn_settings(**env):
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_gunicorn_logs_json_lines_in_production_and_text_otherwise():
    production = gunicorn_settings(DJANGO_ENV="production", LOG_FORMAT="")
    formatter = production["logconfig_dict"]["formatters"]["json"]["()"]
    assert formatter == "tracker.logs.JsonFormatter"
    assert "logconfig_dict" not in gunicorn_settings(DJANGO_ENV="development", LOG_FORMAT="")
    assert "logconfig_dict" not in gunicorn_settings(DJANGO_ENV="production", LOG_FORMAT="text")
    assert "request_id=%({x-request-id}o)s" in production["access_log_format"]


def test_make_prod_local_state_is_never_committed():
    # bin/prod-local writes a secret key and an administrator password under run/prod-local/.
    for path in ("run/prod-local/secret-key", "run/prod-local/admin-password"):
        result = subprocess.run(
            ["git", "check-ignore", "--quiet", path], cwd=ROOT, timeout=30, check=False
        )
        assert result.returncode == 0, f"{path} is not git-ignored"


def test_make_run_sets_site_url_to_the_address_it_serves_and_the_guide_says_to_set_it():
    """Email links from `make run` must open the server it started, not a default elsewhere."""
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = re.search(r"SITE_URL=(\S+) \S+ manage\.py runserver (\S+)", plan)
    assert serve, plan
    assert serve.group(1) == f"http://{serve.group(2)}"
    assert re.search(r"SITE_URL=http://\S+ \S+ manage\.py send_reminders", plan), plan
    install = GUIDE[GUIDE.index("## 4. First install") : GUIDE.index("## 5. Environment")]
    assert "Set `SITE_URL`" in install
