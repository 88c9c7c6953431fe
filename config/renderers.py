"""Renderers shared by the API's file exports."""

import csv
import io
from typing import Any

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Lets API clients ask for `text/csv` (Accept or `?format=csv`). An export streams its
    own body; only error answers (400, 401, 403) are rendered here, as a one-row CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> str:
        data = data if isinstance(data, dict) else {"detail": data}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(data.keys())
        writer.writerow(data.values())
        return buffer.getvalue()
