"""Serve plotly.min.js from the installed plotly package: offline, no CDN, no copy to keep.

The file is found as static/dashboards/vendor/plotly.min.js, by runserver, WhiteNoise and the
test live server alike, and `collectstatic` copies it for production.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "plotly.min.js"
PREFIX = "dashboards/vendor"
PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyJsFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PACKAGE_DATA))
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        if path == f"{PREFIX}/{PLOTLY_JS}" and (PACKAGE_DATA / PLOTLY_JS).is_file():
            match = str(PACKAGE_DATA / PLOTLY_JS)
            return [match] if find_all else match
        return [] if find_all else None

    def list(self, ignore_patterns):
        if (PACKAGE_DATA / PLOTLY_JS).is_file():
            yield PLOTLY_JS, self.storage
