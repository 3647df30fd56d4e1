"""`make report`: one self-contained HTML file (plots embedded as PNG data) with what the console's dashboard
shows: every metric with its 95 % interval, the metrics by day with their intervals, handoff reasons, CSAT bot
vs human, the top fallback messages, the top knowledge-base articles, the replies agents sent from suggestions
and the model versions side by side.

`python -m analytics.report [--out results/report.html]` reads ANALYTICS_DATABASE_URL.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
from matplotlib.figure import Figure  # noqa: E402

from analytics import dashboard, service  # noqa: E402
from analytics.consumer import open_store  # noqa: E402
from common.paths import REPO_ROOT  # noqa: E402
from common.settings import analytics_settings  # noqa: E402

RATE_METRICS = ("containment", "resolution", "escalation", "fallback_rate", "abandonment", "csat_human")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _errorbar(axis: Any, labels: List[str], estimates: List[Dict[str, Any]], title: str) -> None:
    axis.set_title(title, fontsize=10)
    if all(e["value"] is None for e in estimates):
        axis.text(0.5, 0.5, "no data", ha="center", va="center", transform=axis.transAxes)
        axis.set_xticks([])
        return
    positions = list(range(len(labels)))
    values = [e["value"] if e["value"] is not None else float("nan") for e in estimates]
    below = [e["value"] - e["low"] if e["value"] is not None else 0 for e in estimates]
    above = [e["high"] - e["value"] if e["value"] is not None else 0 for e in estimates]
    axis.errorbar(positions, values, yerr=[below, above], fmt="o-", capsize=4)
    axis.set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
    axis.set_ylim(0, 1)


def over_time(board: Dict[str, Any]) -> str:
    days = board["series"]["day"]
    names = {each["key"]: each["name"] for each in board["definitions"]}
    figure, axes = plt.subplots(2, 3, figsize=(12, 6.5))
    labels = [day["start"] for day in days]
    for axis, key in zip(axes.flat, RATE_METRICS, strict=False):
        _errorbar(axis, labels, [day["values"][key] for day in days], names[key])
    figure.suptitle("By day, with 95 % intervals")
    figure.tight_layout()
    return _png(figure)


def reasons_and_csat(board: Dict[str, Any]) -> str:
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
    reasons = board["overall"]["handoff_reasons"]
    left.barh([r.replace("_", " ") for r in reasons], list(reasons.values()))
    left.set_title("Reasons for handoff", fontsize=10)
    _errorbar(
        right, ["bot only", "a person"], [board["csat"]["bot"], board["csat"]["human"]], "CSAT (4-5 good)"
    )
    figure.tight_layout()
    return _png(figure)


def models(board: Dict[str, Any]) -> str:
    rows = board["models"]
    if not rows:
        return "<p>No model versions yet.</p>"
    figure, axis = plt.subplots(figsize=(11, 3.5))
    keys = list(rows[0]["values"])
    width = 0.8 / len(rows)
    for index, row in enumerate(rows):
        positions = [k + index * width for k in range(len(keys))]
        values = [row["values"][key]["value"] or 0 for key in keys]
        axis.bar(positions, values, width, label=f"{row['model_id'][:24]} (n={row['conversations']})")
    axis.set_xticks([k + 0.4 - width / 2 for k in range(len(keys))], keys, fontsize=8)
    axis.set_ylim(0, 1)
    axis.legend(fontsize=8)
    axis.set_title("Model versions", fontsize=10)
    return _png(figure)


def _cell(estimate: Dict[str, Any]) -> str:
    if estimate["value"] is None:
        return "no data"
    return f"{estimate['value']:.1%} ({estimate['low']:.1%} – {estimate['high']:.1%}), n={estimate['denominator']}"


def _time(estimate: Dict[str, Any]) -> str:
    return (
        "no data"
        if estimate["value"] is None
        else f"{estimate['value']:.1f} s ({estimate['low']:.1f} – {estimate['high']:.1f})"
    )


def _assist(overall: Dict[str, Any]) -> str:
    """How many replies agents sent from suggestions, and how much of a suggestion they changed on average."""
    sent = overall["suggestions_sent"]
    if not sent:
        return "no replies sent from agent-assist suggestions"
    return (
        f"{sent} replies sent from agent-assist suggestions (mean edit rate {overall['mean_edit_rate']:.1%})"
    )


def render(board: Dict[str, Any]) -> str:
    rows = []
    for definition in board["definitions"]:
        value = board["overall"]["values"][definition["key"]]
        shown = (
            _cell(value)
            if definition["kind"] == "proportion"
            else f"median {_time(value['median'])}; p90 {_time(value['p90'])}; {value['missing']} without"
        )
        rows.append(
            f"<tr><td>{html.escape(definition['name'])}</td><td>{html.escape(shown)}</td>"
            f"<td>{html.escape(definition['formula'])}</td></tr>"
        )
    fallbacks = "".join(
        f"<tr><td>{html.escape(each['text'])}</td><td>{each['count']}</td></tr>"
        for each in board["top_fallbacks"]
    )
    articles = "".join(
        f"<tr><td>{html.escape(each['article_id'])}</td><td>{html.escape(each['version'])}</td>"
        f"<td>{each['answers']}</td><td>{each['conversations']}</td><td>{each['handed_off_later']}</td></tr>"
        for each in board["top_articles"]
    )
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(board["as_of"]))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Frontdesk support metrics</title>
<style>body{{font-family:sans-serif;margin:2rem;max-width:1200px}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .6rem;
text-align:left;vertical-align:top}}table{{border-collapse:collapse}}img{{max-width:100%}}</style></head><body>
<h1>Frontdesk support metrics</h1>
<p>{board["overall"]["conversations"]} bot conversations; {board["overall"]["pending"]} within 24 h (pending for
resolution and abandonment); {board["overall"]["degraded"]} sent straight to a person because the store's systems
were failing; {board["overall"]["kb_answers"]} answers from knowledge-base articles; {_assist(board["overall"])}.
Generated {generated}.
Intervals are 95 %: Wilson for rates, bootstrap for times.</p>
<table><tr><th>metric</th><th>value (95 % interval)</th><th>formula</th></tr>{"".join(rows)}</table>
<h2>Over time</h2>{over_time(board) if board["series"]["day"] else "<p>No conversations yet.</p>"}
<h2>Handoffs and CSAT</h2>{reasons_and_csat(board)}
<h2>Model versions</h2>{models(board)}
<h2>Top fallback messages (redacted)</h2><table><tr><th>message</th><th>times</th></tr>{fallbacks}</table>
<h2>Top knowledge-base articles</h2><p>Many conversations handed over after an article's answer: the article may
be wrong or incomplete.</p><table><tr><th>article</th><th>version</th><th>answers</th><th>conversations</th>
<th>handed over later</th></tr>{articles}</table>
</body></html>
"""


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.report", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "report.html")
    arguments = parser.parse_args(argv)
    sessions = open_store(analytics_settings().database_url)
    with sessions() as db_session:
        facts = service.conversation_facts(db_session=db_session)
    board = dashboard.build(facts, as_of=time.time())
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(render(board))
    print(f"{arguments.out}: {board['overall']['conversations']} bot conversations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
