"""Settings come from the environment: the S3-compatible store is really wired when S3_BUCKET is set."""

import importlib
import os
import sys
from unittest import mock


def _settings_with(env: dict[str, str]):
    with mock.patch.dict(os.environ, env):
        sys.modules.pop("anjian.settings", None)
        try:
            return importlib.import_module("anjian.settings")
        finally:
            sys.modules.pop("anjian.settings", None)
            importlib.import_module("anjian.settings")


def test_s3_storage_is_built_from_the_environment():
    from storages.backends.s3 import S3Storage

    module = _settings_with(
        {
            "S3_BUCKET": "anjian-evidence",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "S3_ACCESS_KEY": "key",
            "S3_SECRET_KEY": "secret",
        }
    )
    config = module.STORAGES["default"]
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = S3Storage(**config["OPTIONS"])  # boto3 is installed and the options are valid
    assert storage.bucket_name == "anjian-evidence"
    assert storage.endpoint_url == "http://127.0.0.1:9000"


def test_database_and_redis_urls_are_read():
    module = _settings_with(
        {"DATABASE_URL": "postgres://u:p@db.example:5432/anjian", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    )
    assert module.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert module.DATABASES["default"]["HOST"] == "db.example"
    assert module.HUEY["huey_class"] == "huey.PriorityRedisHuey"
    assert module.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
