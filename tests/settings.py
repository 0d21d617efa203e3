"""Settings for the test suite: the real ones plus a small app whose models exercise shared fields."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]

# Hashing passwords slowly protects real accounts; tests only need it to be correct.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
