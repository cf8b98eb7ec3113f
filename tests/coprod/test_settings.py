"""Settings come from the environment; production refuses to start unsafely."""

import json
import re
from pathlib import Path

import coprod.settings as coprod_settings

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'broker': s.CELERY_BROKER_URL,"
    " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'db': s.DATABASES['default']['ENGINE'],"
    " 'email': s.EMAIL_BACKEND}))"
)


def _settings_in_subprocess(manage, env: dict) -> dict:
    result = manage("shell", "-c", PRINT_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_refuses_to_start_in_production_without_a_secret_key(manage, production_env):
    del production_env["DJANGO_SECRET_KEY"]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts(manage, production_env):
    del production_env["DJANGO_ALLOWED_HOSTS"]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false" in result.stderr


def test_it_refuses_to_start_in_production_without_a_base_url_for_email_links(
    manage, production_env
):
    del production_env["COPROD_BASE_URL"]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "COPROD_BASE_URL must be set when DJANGO_DEBUG is false" in result.stderr


def test_it_refuses_to_start_in_production_without_redis_shared_by_every_process(
    manage, production_env
):
    del production_env["REDIS_URL"]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "REDIS_URL must be set when DJANGO_DEBUG is false" in result.stderr


def test_it_refuses_to_start_in_production_without_a_key_for_bank_details(manage, production_env):
    del production_env["COPROD_FIELD_ENCRYPTION_KEY"]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "COPROD_FIELD_ENCRYPTION_KEY must be set when DJANGO_DEBUG is false" in result.stderr


def test_it_refuses_to_start_with_a_bank_details_key_that_is_not_a_fernet_key(
    manage, production_env
):
    production_env["COPROD_FIELD_ENCRYPTION_KEY"] = "my-secret-password"
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "COPROD_FIELD_ENCRYPTION_KEY must be Fernet keys" in result.stderr


def test_behind_a_proxy_the_visitors_own_address_is_read_as_configured(manage, production_env):
    show = (
        "from django.conf import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    default = manage("shell", "-c", show, env=production_env)
    one_proxy = manage(
        "shell", "-c", show, env={**production_env, "COPROD_TRUSTED_PROXY_COUNT": "1"}
    )
    header = manage(
        "shell", "-c", show, env={**production_env, "COPROD_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}
    )
    both = manage(
        "check",
        env={
            **production_env,
            "COPROD_TRUSTED_PROXY_COUNT": "1",
            "COPROD_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP",
        },
    )
    assert default.stdout.splitlines()[-1].split() == ["0", "None"]
    assert one_proxy.stdout.splitlines()[-1].split() == ["1", "None"]
    assert header.stdout.splitlines()[-1].split() == ["0", "X-Real-IP"]
    assert both.returncode != 0
    assert "not both" in both.stderr


def test_production_settings_pass_the_deploy_checks_without_a_warning(manage):
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_default_uses_sqlite_eager_tasks_local_cache_and_email_files(
    manage, production_env
):
    env = {
        k: v
        for k, v in production_env.items()
        if k not in ("REDIS_URL", "DATABASE_URL", "EMAIL_URL")
    }
    env["DJANGO_DEBUG"] = "true"
    found = _settings_in_subprocess(manage, env)
    assert found == {
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "broker": "memory://",
        "eager": True,
        "db": "django.db.backends.sqlite3",
        "email": "django.core.mail.backends.filebased.EmailBackend",
    }


def test_redis_url_makes_redis_the_broker_and_the_cache(manage, production_env):
    env = {**production_env, "DJANGO_DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    found = _settings_in_subprocess(manage, env)
    assert found["cache"] == "coprod.core.cache.ResilientRedisCache"
    assert found["broker"] == "redis://127.0.0.1:6379/3"
    assert found["eager"] is False


def test_database_url_selects_postgresql(manage, production_env):
    env = {
        **production_env,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": "postgres://u@db.internal:5432/coprod",
    }
    assert _settings_in_subprocess(manage, env)["db"] == "django.db.backends.postgresql"


def test_argon2_is_the_first_password_hasher():
    # Read the settings module itself: the tests swap in a fast hasher.
    assert coprod_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_content_security_policy_allows_no_inline_script(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_no_template_carries_an_inline_script():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if inline.search(path.read_text())
    ]
    assert offenders == []


def test_pages_load_no_asset_from_another_origin():
    remote = re.compile(r"""(src|href)=["']https?://""", re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "emails" not in path.parts and remote.search(path.read_text())
    ]
    assert offenders == []


def test_static_files_collect_for_production(manage, production_env, tmp_path):
    env = {**production_env, "DJANGO_STATIC_ROOT": str(tmp_path)}
    result = manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert "css/coprod.css" in manifest
