"""`imr corpus ingest|search|stats|precedents|eval`: the decision corpus on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

corpus_app = typer.Typer(
    help="The published decisions: ingest, search, statistics, precedents, evaluation.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Register this module's commands on the main app."""
    app.add_typer(corpus_app, name="corpus")


@corpus_app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Letters (.txt, .pdf, .json), directories and zip archives."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Parser processes (default: one per core)."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Dask scheduler address: parse on the cluster instead."),
    batch: int = typer.Option(2000, "--batch", min=1, help="Letters per write transaction."),
    report: Optional[Path] = typer.Option(None, "--report", help="Where to write the CSV of letters that failed."),
    optimize: bool = typer.Option(False, "--optimize", help="Merge the search index after loading (worth it after a bulk load)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's figures as JSON."),
) -> None:
    """Store published decisions; letters already held are skipped, failures reported, never fatal."""
    from imr.corpus.ingest import ingest

    result = ingest(
        paths, workers=workers, cluster=cluster, batch_size=batch, report_path=report, progress=not as_json, optimize=optimize
    )
    figures = {
        "seen": result.seen,
        "stored": result.stored,
        "items": result.items,
        "already_held": result.already_held,
        "failed": result.failed,
        "seconds": round(result.seconds, 2),
        "letters_per_second": round(result.letters_per_second, 1),
        "interrupted": result.interrupted,
        "failure_report": str(result.report_path) if result.report_path else None,
    }
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
    else:
        typer.echo(
            f"{result.seen:,} letters in {result.seconds:.1f} s ({result.letters_per_second:,.0f}/s): "
            f"{result.stored:,} stored ({result.items:,} decisions), {result.already_held:,} already held, {result.failed:,} failed"
        )
        if result.report_path:
            typer.echo(f"failures and their reasons: {result.report_path}")
        if result.interrupted:
            typer.echo("interrupted: run the same command again to finish (nothing is stored twice)")
    if result.interrupted:
        raise typer.Exit(130)


@corpus_app.command("search")
def search_command(
    query: str = typer.Argument(..., help='Words that must occur; "quoted phrases" allowed.'),
    drug: Optional[str] = typer.Option(None, "--drug", help="Generic or brand name."),
    drug_class: Optional[str] = typer.Option(None, "--class", help="Drug class, e.g. benzodiazepine."),
    outcome: Optional[str] = typer.Option(None, "--outcome", help="Upheld or Overturned."),
    year: Optional[int] = typer.Option(None, "--year", help="Decision year."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Item kind, e.g. imaging."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=500),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Ranked full-text search of the stored decisions."""
    from imr.corpus.search import search

    hits = search(query, drug=drug, drug_class=drug_class, outcome=outcome, year=year, kind=kind, limit=limit)
    if as_json:
        typer.echo(json.dumps([hit.to_json() for hit in hits], indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(hits)} decisions matching {query!r}", show_lines=True)
    for column in ("case", "date", "item", "outcome", "match"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(
            hit.case_number or "–", str(hit.decision_date or "–"), Text(hit.item), hit.outcome or "–", _highlighted(hit.snippet)
        )
    Console().print(table)


@corpus_app.command("stats")
def stats_command(
    only: Optional[list[str]] = typer.Option(
        None, "--by", help="Only these breakdowns (drug, drug_class, kind, source, section, page, specialty, year)."
    ),
    top: Optional[int] = typer.Option(None, "--top", min=1, help="Rows per breakdown (default: per breakdown, see stats.yaml)."),
    charts: Optional[Path] = typer.Option(None, "--charts", help="Folder for PNG charts and report.html."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Decisions and uphold rates by drug, class, kind, guideline cited, reviewer specialty and year."""
    from imr.corpus.stats import corpus_stats

    stats = corpus_stats(only=only, limit=top)
    if charts is not None:
        from imr.corpus.charts import html_report, save_charts

        drawn = save_charts(stats, charts)
        report = html_report(stats, drawn, charts / "report.html")
    if as_json:
        data = stats.to_json()
        if charts is not None:
            data["charts"] = [str(chart.path) for chart in drawn] + [str(report)]
        typer.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    overall = stats.overall
    rate = f"{overall.uphold_rate:.1%}" if overall.uphold_rate is not None else "–"
    console.print(f"[bold]{stats.letters:,}[/] letters, [bold]{overall.decisions:,}[/] decisions, {rate} upheld")
    for name, rows in stats.breakdowns.items():
        table = Table(title=stats.dimensions[name].label, title_justify="left")
        table.add_column(stats.dimensions[name].label)
        for column in ("decisions", "upheld", "overturned", "uphold rate"):
            table.add_column(column, justify="right")
        for row in rows:
            table.add_row(
                row.value,
                f"{row.decisions:,}",
                f"{row.upheld:,}",
                f"{row.overturned:,}",
                f"{row.uphold_rate:.1%}" if row.uphold_rate is not None else "–",
            )
        console.print(table)
    if charts is not None:
        console.print(f"charts: {charts} (open {report})")


def _highlighted(snippet: str):  # noqa: ANN202 - a rich Text
    """The snippet with its [matched] words in bold (brackets are the search's match markers)."""
    import re

    from rich.text import Text

    text = Text()
    for index, part in enumerate(re.split(r"\[([^\]]*)\]", snippet)):
        text.append(part, style="bold yellow" if index % 2 else None)
    return text


@corpus_app.command("precedents")
def precedents_command(
    item: str = typer.Argument(..., help="The disputed item as requested, e.g. 'Xanax 1mg #60'."),
    summary: Optional[str] = typer.Option(None, "--summary", help="The case facts (clinical summary) to compare."),
    summary_file: Optional[Path] = typer.Option(
        None, "--summary-file", exists=True, dir_okay=False, help="Read the case facts from a file."
    ),
    generic: Optional[str] = typer.Option(None, "--generic", help="Override: the generic drug."),
    drug_class: Optional[str] = typer.Option(None, "--class", help="Override: the drug class."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Override: the item kind."),
    body_part: Optional[str] = typer.Option(None, "--body-part", help="Override: the canonical body part."),
    limit: int = typer.Option(5, "--limit", "-n", min=1, max=50),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The most similar published decisions for an item under review, with their outcomes."""
    from imr.corpus.precedents import compare_with_precedents, find_precedents, understood

    disputed = understood(item, generic=generic, drug_class=drug_class, kind=kind, body_part=body_part)
    facts = summary_file.read_text(encoding="utf-8") if summary_file else summary
    found = find_precedents(disputed, facts, limit=limit)
    if as_json:
        typer.echo(json.dumps([p.model_dump(mode="json") for p in found], indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Precedents for {item!r}", title_justify="left")
    for column in ("similarity", "case", "date", "outcome"):
        table.add_column(column, no_wrap=True)
    table.add_column("item", overflow="fold", ratio=1)
    table.add_column("guideline", overflow="fold", ratio=2)
    for precedent in found:
        basis = "; ".join(c.source + (f" p. {', '.join(map(str, c.pages))}" if c.pages else "") for c in precedent.reviewer_basis)
        table.add_row(
            f"{precedent.similarity:.2f}",
            precedent.case_number or "–",
            str(precedent.decision_date or "–"),
            precedent.outcome,
            Text(precedent.item),
            Text(basis or "–"),
        )
    console = Console()
    console.print(table)
    console.print(compare_with_precedents(found, None))


@corpus_app.command("eval")
def eval_command(
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Only the first N stored letters."),
    year: Optional[int] = typer.Option(None, "--year", help="Only letters decided in this year."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Engine processes (default: one per core)."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Dask scheduler address: evaluate on the cluster instead."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Re-decide the stored letters with the review engine: agreement overall, per drug class and per kind."""
    from imr.corpus.evaluate import evaluate_corpus

    result = evaluate_corpus(limit=limit, year=year, workers=workers, cluster=cluster)
    data = result.to_json()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"{result.letters:,} letters re-decided in {result.seconds:.1f} s; {data['unreadable']:,} could not be")
    for title, groups in (
        ("All items", {"all": data["overall"]}),
        ("By drug class", data["by_drug_class"]),
        ("By item kind", data["by_kind"]),
        ("By guideline chapter cited", data["by_chapter"]),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column("group")
        for column in ("items", "agree", "abstain", "agreement", "when decided", "always-Upheld"):
            table.add_column(column, justify="right")
        for name, figures in groups.items():
            table.add_row(
                name,
                f"{figures['items']:,}",
                f"{figures['agree']:,}",
                f"{figures['abstains']:,}",
                _percent(figures["agreement"]),
                _percent(figures["agreement_when_decided"]),
                _percent(figures["baseline_agreement"]),
            )
        console.print(table)
    over = data["overturned"]
    console.print(
        f"Overturned items: {over['published']:,} published, {over['caught']:,} caught, {over['missed']:,} missed, {over['abstained']:,} abstained"
    )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"
