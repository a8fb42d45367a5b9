"""Render every kind of report chart on one offline HTML page and screenshot it in headless Chromium.

A look-and-judge check for contributors changing ``engine/report/charts.py`` (not a test: whether a
chart *reads well* needs eyes). Writes ``charts.html`` and, when Chromium is installed
(``apt-get install -y chromium``), ``charts.png`` into the folder given (default ``bench/data/charts``)::

    .venv/bin/python bench/render_report_charts.py [OUT_DIR] [--grayscale]

``--grayscale`` renders the page through a CSS grayscale filter, as a black-and-white printer would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.report.charts import Series, column_chart, horizontal_bar, line_chart, progress_bar, stacked_bar  # noqa: E402

MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]


def charts() -> list[str]:
    owners = [f"team-{i:03d}" for i in range(200)]
    spend = [Decimal(1_000_000) / (i + 1) + Decimal("0.37") for i in range(200)]
    return [
        horizontal_bar(owners, spend, chart_id="spend", title="Spend per owner (200 owners)", currency="USD"),
        horizontal_bar(
            ["data-platform", "web <script>alert(1)</script>", "credits & refunds", "a very long owner name that goes on and on"],
            [Decimal("12345.675"), Decimal(8000), Decimal("-2500.10"), Decimal(100)],
            chart_id="stake", title="Money at stake per owner (hostile and long labels, a credit)", currency="EUR",
        ),
        column_chart(MONTHS, [Decimal(8200), Decimal(9100), Decimal(10400), Decimal(9700), Decimal("12050.50"), Decimal(7000)],
                     chart_id="monthly", title="Monthly spend vs budget", currency="USD", budget=Decimal(10000)),
        column_chart([f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)], [Decimal(123456) * m for m in range(24)],
                     chart_id="two-years", title="Two years of spend (crowded columns)", currency="USD", budget=[Decimal(1_500_000)] * 24),
        stacked_bar(["data", "web", "ml", "ops"],
                    [Series("critical", [3, 0, 1, 0]), Series("high", [5, 2, 0, 1]), Series("medium", [8, 4, 2, 0]),
                     Series("low", [2, 9, 1, 3]), Series("info", [0, 1, 0, 6])],
                    chart_id="severity", title="Open findings by severity"),
        stacked_bar(owners, [Series(name, [(i * 7919 + k * 104729) % (60000 // (k + 1)) for i in range(200)])
                             for k, name in enumerate(["info", "low", "medium", "high", "critical"])],
                    chart_id="severity-200", title="Open findings by severity, 200 owners (the 15 with the most and Others)",
                    unit="findings"),
        column_chart([f"{2016 + i // 12}-{i % 12 + 1:02d}" for i in range(120)], [Decimal(1000 + (i * 37) % 400) for i in range(120)],
                     chart_id="ten-years", title="Ten years of spend (labels turned and thinned)", currency="USD", budget=Decimal(1300)),
        line_chart([f"run {i + 1} of the monthly compliance report" for i in range(24)],
                   [Series("Tag coverage by cost", [50 + i * 1.5 for i in range(24)])],
                   chart_id="runs", title="A KPI over 24 runs with long names (labels thinned, the latest kept)", unit="%"),
        stacked_bar(["data", "web", "ml"],
                    [Series(name, [Decimal(i * 100 + j * 37) for j in range(3)]) for i, name in
                     enumerate(["EC2", "S3", "RDS", "Lambda", "EKS", "CloudFront", "DynamoDB", "Redshift", "Glue", "SageMaker"])],
                    chart_id="services", title="Spend by service (10 series: 7 and Other)", currency="USD"),
        line_chart(MONTHS, [Series("Tag coverage by cost", [62, 70, 74.5, None, 88, 91.2]),
                            Series("Commitment coverage", [40, 45, 52, 55, 58, 61]),
                            Series("Savings realised", [10, 20, 25, 22, 30, 45])],
                   chart_id="kpis", title="KPIs over time (a missing run in April)", unit="%"),
        progress_bar(Decimal(7250), Decimal(10000), chart_id="burn-data", title="Budget burn: data", currency="USD", target=80),
        progress_bar(Decimal(13000), Decimal(10000), chart_id="burn-web", title="Budget burn: web", currency="USD", target=80),
        horizontal_bar([], [], chart_id="empty", title="No data"),
    ]


def main(argv: list[str]) -> int:
    grayscale = "--grayscale" in argv
    args = [a for a in argv if a != "--grayscale"]
    out = Path(args[0] if args else Path(__file__).parent / "data" / "charts")
    out.mkdir(parents=True, exist_ok=True)
    style = "body{font-family:sans-serif;margin:16px}" + ("html{filter:grayscale(1)}" if grayscale else "")
    body = "".join(f'<figure style="margin:16px 0">{svg}</figure>' for svg in charts())
    page = out / "charts.html"
    page.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>charts</title><style>{style}</style></head><body>{body}</body></html>', encoding="utf-8")
    print(f"wrote {page}")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found: open the page in a browser, or apt-get install -y chromium")
        return 0
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
                        f"--screenshot={out / 'charts.png'}", "--window-size=1200,6000", page.resolve().as_uri()],
                       check=True, timeout=120, capture_output=True)
    print(f"wrote {out / 'charts.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
