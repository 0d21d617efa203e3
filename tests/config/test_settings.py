import pytest
from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key

from tests.services import postgres_url_or_skip, redis_url_or_skip
from tests.subprocess_env import clean_env, manage, run_python, settings_snapshot

pytestmark = pytest.mark.slow


@pytest.fixture
def production_env(tmp_path):
    """Every variable the production profile requires, with real values."""
    return clean_env(
        tmp_path,
        DJANGO_ENV="production",
        SECRET_KEY=get_random_secret_key(),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="sputnik.example",
    )


def test_without_configuration_it_runs_on_sqlite_locmem_and_in_process_tasks(tmp_path):
    snapshot = settings_snapshot(
        clean_env(tmp_path),
        "[settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.CACHES['default']['BACKEND'], settings.CELERY_TASK_ALWAYS_EAGER, settings.DEBUG]",
    )

    assert snapshot == [
        "django.db.backends.sqlite3",
        str(tmp_path / "db.sqlite3"),
        "django.core.cache.backends.locmem.LocMemCache",
        True,
        True,
    ]


def test_embedded_secrets_are_generated_once_and_reused(tmp_path):
    env = clean_env(tmp_path)
    expression = "[settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEYS]"

    first, second = settings_snapshot(env, expression), settings_snapshot(env, expression)

    assert first == second
    assert len(first[0]) >= 50
    Fernet(first[1][0])  # a usable key
    assert (tmp_path / "field_encryption.key").stat().st_mode & 0o777 == 0o600


def test_database_url_selects_postgresql_on_psycopg3_with_health_checks(tmp_path):
    url = postgres_url_or_skip()
    env = clean_env(tmp_path, DATABASE_URL=url)

    snapshot = settings_snapshot(
        env,
        "[settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "__import__('django.db').db.connection.Database.__name__, "
        "__import__('django.db').db.connection.cursor().execute('select version()').fetchone()[0][:10]]",
    )

    assert snapshot == ["django.db.backends.postgresql", True, "psycopg", "PostgreSQL"]


def test_redis_url_selects_redis_cache_and_a_real_broker(tmp_path):
    url = redis_url_or_skip()

    snapshot = settings_snapshot(
        clean_env(tmp_path, REDIS_URL=url),
        "[settings.CACHES['default']['BACKEND'], settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER, "
        "__import__('django.core.cache').core.cache.cache.set('settings-test', 1) or "
        "__import__('django.core.cache').core.cache.cache.get('settings-test')]",
    )

    assert snapshot == ["django.core.cache.backends.redis.RedisCache", url, False, 1]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(production_env, missing):
    del production_env[missing]

    result = manage(["check"], production_env)

    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_secrets_are_taken_literally_even_when_they_start_with_a_dollar(production_env):
    production_env["SECRET_KEY"] = "$" + get_random_secret_key()

    assert settings_snapshot(production_env, "settings.SECRET_KEY") == production_env["SECRET_KEY"]


def test_production_refuses_a_weak_secret_key(production_env):
    production_env["SECRET_KEY"] = "django-insecure-" + "x" * 50

    result = manage(["check"], production_env)

    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_a_malformed_encryption_key_is_named(production_env):
    production_env["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode() + ",not-a-key"

    result = manage(["check"], production_env)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key #2 is not a Fernet key" in result.stderr


def test_production_profile_passes_the_deployment_checks(production_env):
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_profile_is_refused(tmp_path):
    result = run_python("import django; django.setup()", clean_env(tmp_path, DJANGO_ENV="staging"))

    assert result.returncode != 0
    assert "DJANGO_ENV must be 'development' or 'production'" in result.stderr


def test_health_reports_an_unreachable_database_with_503(tmp_path):
    env = clean_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/sputnik")
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client(SERVER_NAME='localhost').get('/api/health'); print(r.status_code, json.dumps(r.json()))"
    )

    result = run_python(code, env)

    status, _, body = result.stdout.strip().partition(" ")
    assert status == "503", result.stderr
    assert '"database": {"status": "down"' in body
