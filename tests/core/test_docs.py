"""Operational documents stay true to the code they describe."""

from __future__ import annotations

import json
import re
from pathlib import Path

from engagex import metrics

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_grafana_dashboard_queries_only_metrics_the_app_exports():
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    exported = {
        m._name  # the family name; histograms add _bucket/_count/_sum, counters _total
        for m in (metrics.REQUEST_LATENCY, metrics.JOBS, metrics.JOB_DURATION, metrics.EMAILS_SENT)
    }
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"engagex_[a-z_]+", target["expr"]))
    for name in used:
        base = re.sub(r"_(bucket|count|sum|total)$", "", name)
        assert base in exported, f"{name} is not exported by engagex.metrics"
    assert len(dashboard["panels"]) >= 6
