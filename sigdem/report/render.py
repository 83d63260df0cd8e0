"""The report as Markdown and as ONE self-contained HTML file (figures as base64 PNG data URIs, no external
resources), plus every table as CSV, every figure as PNG and ``provenance.json`` beside it."""

from __future__ import annotations

import base64
import html
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sigdem.io.folder import write_atomic
from sigdem.report.claims import VERDICTS, ClaimRow, claims_frame

log = logging.getLogger(__name__)

CSS = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
       "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 6px;"
       "vertical-align:top}th{background:#eee}.agrees{background:#d7f0d2}.disagrees{background:#f6d3d0}"
       ".not-resolved-at-this-scale{background:#fbf0c8}.not-available-in-this-build{background:#e4e4e4}"
       "img{max-width:100%;border:1px solid #ddd;margin:.5em 0}code{background:#f3f3f3}")


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows: the claims, named tables and PNG figures, the model's omissions, provenance."""

    title: str
    scale: dict
    claims: tuple[ClaimRow, ...]
    tables: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    limitations: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict)


def _num(x: float, ci: float, unit: str) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.4g}" + (f" ± {ci:.2g}" if math.isfinite(ci) else "") + (f" ({unit})" if unit else "")


def _md_table(df: pd.DataFrame, max_rows: int = 60) -> str:
    def cell(v) -> str:
        text = f"{v:.4g}" if isinstance(v, float) else str(v)
        return text.replace("|", "\\|").replace("\n", " ")

    df = df.head(max_rows)
    head = "| " + " | ".join(map(str, df.columns)) + " |\n|" + "---|" * len(df.columns) + "\n"
    return head + "".join("| " + " | ".join(cell(v) for v in row) + " |\n" for row in df.itertuples(index=False))


def verdict_counts(claims) -> dict:
    return {v: sum(c.verdict == v for c in claims) for v in VERDICTS}


def _scale_line(data: ReportData) -> str:
    rep = "" if data.scale.get("representative") else " NOT representative of a real electrode (see below)."
    return f"Scale **{data.scale.get('name')}**: {data.scale.get('description')}.{rep}"


def render_markdown(data: ReportData) -> str:
    lines = [f"# {data.title}", "", _scale_line(data), "",
             "Verdicts: " + ", ".join(f"{n} {v}" for v, n in verdict_counts(data.claims).items()), "",
             "## Claims", "", "| claim | paper | sigdem (± 95 % CI) | verdict | why |", "|---|---|---|---|---|"]
    for c in data.claims:
        lines.append(f"| {c.claim} | {c.paper_value} | {_num(c.sigdem_value, c.ci95, c.unit)} | **{c.verdict}** | "
                     f"{c.reason} |".replace("\n", " "))
    lines += ["", "### What each number is, and the evidence", ""]
    for c in data.claims:
        lines.append(f"- **{c.claim}**: {c.detail}" + (f" Evidence: {c.evidence}" if c.evidence else ""))
    lines += ["", "## What the model leaves out", ""] + [f"- {t}" for t in data.limitations]
    lines += ["", "## Sensitivity of each verdict to assumed parameters", ""]
    lines += [f"- **{c.key}**: {c.sensitivity}" for c in data.claims]
    lines += ["", "## Figures", ""] + [f"![{n}](figures/{n}.png)" for n in data.figures]
    lines += ["", "## Tables", ""]
    for name, df in data.tables.items():
        lines += [f"### {name} (`tables/{name}.csv`)", "", _md_table(df), ""]
    lines += ["## Provenance (full record: `provenance.json`)", "", "```json",
              json.dumps(_provenance_head(data.provenance), indent=2, default=str), "```", ""]
    return "\n".join(lines)


def _provenance_head(prov: dict) -> dict:
    """Provenance without the long lists (those stay in provenance.json)."""
    return {k: v for k, v in prov.items() if k not in ("statepoints", "factors")}


def _esc(text) -> str:
    return html.escape(str(text))


def render_html(data: ReportData) -> str:
    """One self-contained HTML page: no external src or href, figures as data URIs."""
    e = _esc
    counts = ", ".join(f"{n} {v}" for v, n in verdict_counts(data.claims).items())
    rows = "".join(
        f"<tr class='{c.verdict.replace(' ', '-')}'><td>{e(c.claim)}</td><td>{e(c.paper_value)}</td>"
        f"<td>{e(_num(c.sigdem_value, c.ci95, c.unit))}</td><td><b>{e(c.verdict)}</b></td><td>{e(c.reason)}</td></tr>"
        for c in data.claims)
    details = "".join(f"<li><b>{e(c.claim)}</b>: {e(c.detail)}" + (f"<br><i>Evidence:</i> {e(c.evidence)}" if c.evidence
                                                                  else "") + "</li>" for c in data.claims)
    figs = "".join(f"<figure><img alt='{e(n)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
                   f"<figcaption>{e(n)}</figcaption></figure>" for n, png in data.figures.items())
    tables = "".join(f"<h3>{e(n)} (tables/{e(n)}.csv)</h3>" + df.to_html(index=False, float_format=lambda x: f"{x:.4g}",
                                                                         escape=True, na_rep="n/a")
                     for n, df in data.tables.items())
    scale = _scale_line(data).replace("**", "")
    prov = e(json.dumps(_provenance_head(data.provenance), indent=2, default=str))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(data.title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{e(data.title)}</h1><p>{e(scale)}</p><p>Verdicts: {e(counts)}</p>"
            f"<h2>Claims</h2><table><tr><th>claim</th><th>paper</th><th>sigdem (± 95 % CI)</th><th>verdict</th>"
            f"<th>why</th></tr>{rows}</table><h3>What each number is, and the evidence</h3><ul>{details}</ul>"
            f"<h2>What the model leaves out</h2><ul>{''.join(f'<li>{e(t)}</li>' for t in data.limitations)}</ul>"
            f"<h2>Sensitivity of each verdict to assumed parameters</h2><ul>"
            f"{''.join(f'<li><b>{e(c.key)}</b>: {e(c.sensitivity)}</li>' for c in data.claims)}</ul>"
            f"<h2>Figures</h2>{figs}<h2>Tables</h2>{tables}"
            f"<h2>Provenance (full record: provenance.json)</h2><pre>{prov}</pre></body></html>")


def write_report(data: ReportData, out: Path | str) -> dict[str, Path]:
    """``report.md``, ``report.html``, ``provenance.json``, ``claims.csv``, ``tables/*.csv``, ``figures/*.png``."""
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    files = {"markdown": out / "report.md", "html": out / "report.html", "provenance": out / "provenance.json",
             "claims": out / "claims.csv"}
    claims_frame(list(data.claims)).to_csv(files["claims"], index=False)
    for name, df in data.tables.items():
        df.to_csv(out / "tables" / f"{name}.csv", index=False)
    for name, png in data.figures.items():
        (out / "figures" / f"{name}.png").write_bytes(png)
    write_atomic(files["provenance"], json.dumps(data.provenance, indent=2, default=str) + "\n")
    write_atomic(files["markdown"], render_markdown(data))
    write_atomic(files["html"], render_html(data))
    log.info("report written to %s", out)
    return files
