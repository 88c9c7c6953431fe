"""Benchmarks of `make bench` (bench/README.md). Django is set up on import, so that the
benchmark modules can import models at the top like the rest of the code."""

import os
import warnings

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As in the tests: whitenoise warns when `collectstatic` has not run; the API needs no files.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
django.setup()
