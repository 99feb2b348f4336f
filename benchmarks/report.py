"""``results.json`` to ``results.md`` (tables, EXPLAIN summary, goals) and ``results.png``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MIN_REQUESTS = 10  # fewer completed requests per run: no meaningful ratio or percentile


def _few(side: dict[str, Any]) -> bool:
    return min((run["requests"] for run in side.get("runs", [])), default=0) < MIN_REQUESTS


def _ratio(row: dict[str, Any]) -> float | None:
    if "api" not in row or not row["baseline"]["rps"] or _few(row["api"]) or _few(row["baseline"]):
        return None
    return row["api"]["rps"] / row["baseline"]["rps"]


def ceiling_factor(row: dict[str, Any]) -> float | None:
    """The API's time per request over the ceiling's (wrk, same run): ceiling req/s / API req/s."""
    if "api" not in row or "ceiling" not in row or not row["api"]["rps"] or _few(row["api"]) or _few(row["ceiling"]):
        return None
    return row["ceiling"]["rps"] / row["api"]["rps"]


def in_process_factor(row: dict[str, Any]) -> float | None:
    timing = row.get("in_process")
    return timing["api"] / timing["ceiling"] if timing and timing.get("ceiling") else None


def _ms(side: dict[str, Any], key: str) -> str:
    if side["rps"] == 0:
        return "none done"
    return f"{side[key]:.1f}" + ("~" if _few(side) else "")


def _find(results: dict[str, Any], products: Any, name: str) -> dict[str, Any] | None:
    for entry in results["sizes"]:
        if entry["products"] == products:
            for row in entry["scenarios"]:
                if row["name"].startswith(name):
                    return row
    return None


def table(entry: dict[str, Any]) -> list[str]:
    lines = [
        f"(`~`: fewer than {MIN_REQUESTS} requests completed in a run; "
        "`none done`: not one completed in the run's time)",
        "",
        "| scenario | queries api / base | req/s api | req/s base | ratio | req/s ceiling | time x ceiling "
        "| p50 ms api / base | p95 ms api | p99 ms api / base | non-2xx |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in entry["scenarios"]:
        if "api" not in row:
            continue
        a, b = row["api"], row["baseline"]
        ratio = _ratio(row)
        factor = ceiling_factor(row)
        ceiling = f"{row['ceiling']['rps']:.1f}" if "ceiling" in row else "-"
        lines.append(
            f"| {row['name']} | {row['queries']['api']} / {row['queries']['baseline']} "
            f"| {a['rps']:.1f} | {b['rps']:.1f} | {'-' if ratio is None else f'{ratio:.0%}'} "
            f"| {ceiling} | {'-' if factor is None else f'{factor:.2f}'} "
            f"| {_ms(a, 'p50_ms')} / {_ms(b, 'p50_ms')} | {_ms(a, 'p95_ms')} "
            f"| {_ms(a, 'p99_ms')} / {_ms(b, 'p99_ms')} | {a['non_2xx'] + a['errors']} / {b['non_2xx'] + b['errors']} |"
        )
    return lines


def in_process_lines(entry: dict[str, Any]) -> list[str]:
    """Median time per request in-process (Django's handler, the settings' middleware, no HTTP)."""
    rows = [row for row in entry["scenarios"] if row.get("in_process")]
    if not rows:
        return []
    lines = [
        f"In-process, median of {rows[0]['in_process']['n']} requests each, interleaved (ms of this machine; "
        "the ratio is the figure to compare):",
        "",
        "| scenario | queries api / ceiling | api ms | baseline ms | ceiling ms | api ÷ ceiling "
        "| CPU ms api / ceiling | CPU api ÷ ceiling |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        t = row["in_process"]
        cpu = t.get("cpu")
        cpu_cells = f"{cpu['api']:.2f} / {cpu['ceiling']:.2f} | {cpu['api'] / cpu['ceiling']:.2f}" if cpu else "- | -"
        lines.append(
            f"| {row['name']} | {row['queries']['api']} / {row['queries'].get('ceiling', '-')} | {t['api']:.2f} "
            f"| {t['baseline']:.2f} | {t['ceiling']:.2f} | {t['api'] / t['ceiling']:.2f} | {cpu_cells} |"
        )
    return lines


def config_lines(configs: dict[str, Any]) -> list[str]:
    """The list of 20 under the production settings, one thing changed at a time."""
    ms = configs["ms"]
    local = ms.get("local storage")
    lines = [
        f"## Production configuration, piece by piece ({configs['products']:,} products)",
        "",
        f"`{configs['path']}` in-process, median of 50 (5 rounds of 10, the variants in turn); "
        "`local ÷ this`: the rate of the variant relative to the same request with local storage.",
        "(CPU: this process's, which storage and middleware costs are; the wall clock also waits for a core.)",
        "",
        "| configuration | ms | local ÷ this | CPU ms | CPU: local ÷ this |",
        "|---|---|---|---|---|",
    ]
    for label, value in ms.items():
        wall = f"{local['ms'] / value['ms']:.2f}" if local else "-"
        cpu = f"{local['cpu_ms'] / value['cpu_ms']:.2f}" if local else "-"
        lines.append(f"| {label} | {value['ms']:.2f} | {wall} | {value['cpu_ms']:.2f} | {cpu} |")
    return lines


def latency_lines(entry: dict[str, Any]) -> list[str]:
    """The scenarios also run with one connection per worker: latency without queueing."""
    rows = [row for row in entry["scenarios"] if "latency" in row]
    if not rows:
        return []
    lines = [
        f"Latency with {rows[0]['latency']['connections']} connections (one per worker, no request waits "
        "for a busy worker):",
        "",
        "| scenario | req/s api / base | p50 ms api / base | p95 ms api / base | p99 ms api / base |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        a, b = row["latency"]["api"], row["latency"]["baseline"]
        lines.append(
            f"| {row['name']} | {a['rps']:.1f} / {b['rps']:.1f} | {_ms(a, 'p50_ms')} / {_ms(b, 'p50_ms')} "
            f"| {_ms(a, 'p95_ms')} / {_ms(b, 'p95_ms')} | {_ms(a, 'p99_ms')} / {_ms(b, 'p99_ms')} |"
        )
    return lines


def explain_lines(entry: dict[str, Any]) -> list[str]:
    lines = ["| scenario | query | execution ms | scans |", "|---|---|---|---|"]
    for row in entry["scenarios"]:
        for plan in row.get("explain", []):
            scans = "<br>".join(plan["scans"])
            lines.append(f"| {row['name']} | {plan['kind']} | {plan['execution_ms']:.2f} | {scans} |")
    return lines


def goals(results: dict[str, Any]) -> list[str]:
    sizes = [e["products"] for e in results["sizes"] if isinstance(e["products"], int)]
    lines = ["| goal | figure | met |", "|---|---|---|"]

    def add(goal: str, figure: str, ok: bool | None) -> None:
        lines.append(f"| {goal} | {figure} | {'yes' if ok else 'no' if ok is not None else 'n/a'} |")

    for size in sizes:
        for name in ("list p1 size 20", "list p1 size 100", "filtered list", "product detail"):
            row = _find(results, size, name)
            if row and _ratio(row) is not None:
                add(f"{name} >= 50% of baseline ({size:,})", f"{_ratio(row):.0%}", _ratio(row) >= 0.5)
        for name in ("list p1 size 20", "list p1 size 100", "product detail"):
            row = _find(results, size, name)
            figures = []
            if row and (factor := in_process_factor(row)) is not None:
                figures.append((f"{factor:.2f}x in-process", factor))
            if row and (factor := ceiling_factor(row)) is not None:
                figures.append((f"{factor:.2f}x under wrk", factor))
            if figures:
                add(
                    f"{name} time <= 1.5x the ceiling's ({size:,})",
                    ", ".join(text for text, _ in figures),
                    all(factor <= 1.5 for _, factor in figures),
                )
        small, big = _find(results, size, "list p1 size 20"), _find(results, size, "list p1 size 100")
        if small and big:
            add(
                f"queries flat in page size ({size:,})",
                f"{small['queries']['api']} at 20, {big['queries']['api']} at 100",
                small["queries"]["api"] == big["queries"]["api"],
            )
    if sizes:
        largest = max(sizes)
        for name in ("search common", "search rare", "search typo", "search typo of a common word"):
            row = _find(results, largest, name)
            if row and "api" in row:
                seq = any(p["seq_scan_on_products"] for p in row.get("explain", []))
                # Latency is the endpoint's without queueing when measured so;
                # at saturation p95 mostly measures the queue.
                side = row["latency"]["api"] if "latency" in row else row["api"]
                done = side["rps"] > 0
                add(
                    f"{name}: p95 < 50 ms, index scans ({largest:,})",
                    f"p95 {_ms(side, 'p95_ms')}{' ms' if done else ''}"
                    f"{' (' + str(row['latency']['connections']) + ' connections)' if 'latency' in row else ''}, "
                    f"{'seq scan' if seq else 'index scans only'}",
                    done and side["p95_ms"] < 50 and not seq,
                )
        # The default pagination (capped count): its time per request must not
        # grow with the catalog, and the filtered list must stay usable at 1M.
        smallest = _find(results, min(sizes), "list p1 size 20 (capped count)")
        for size in sizes:
            row = _find(results, size, "list p1 size 20 (capped count)")
            if size != min(sizes) and row and smallest and "api" in row and "api" in smallest and row["api"]["rps"]:
                factor = smallest["api"]["rps"] / row["api"]["rps"]
                add(
                    f"default list (capped count) time within 1.5x of {min(sizes):,}'s ({size:,})",
                    f"{factor:.2f}x ({row['api']['rps']:.1f} / {smallest['api']['rps']:.1f} req/s)",
                    factor <= 1.5,
                )
        row = _find(results, largest, "filtered list (capped count)")
        if row and "api" in row:
            add(
                f"default filtered list (capped count) >= 50 req/s ({largest:,})",
                f"{row['api']['rps']:.1f} req/s, p50 {_ms(row['api'], 'p50_ms')} ms",
                row["api"]["rps"] >= 50,
            )
        for size in sizes:
            first, deep = _find(results, size, "cursor page 1"), _find(results, size, "cursor page 500")
            if first and deep and "api" in first and "api" in deep:
                factor = deep["api"]["p50_ms"] / first["api"]["p50_ms"]
                add(f"cursor page 500 within 1.5x of page 1 ({size:,})", f"{factor:.2f}x (p50)", factor <= 1.5)
            for name, label in (("deep page 500 (page=)", "exact"), ("deep page 500 (capped", "capped")):
                page = _find(results, size, name)
                if page:
                    count = [p["execution_ms"] for p in page.get("explain", []) if p["kind"] == "count"]
                    figure = f"{count[0]:.1f} ms" if count else "-"
                    if "api" in page:
                        figure += f"; page 500 p50 {page['api']['p50_ms']:.1f} ms"
                    add(f"page-number deep page, {label} COUNT(*) ({size:,})", figure, None)
    empty, full = _find(results, "auth", "refresh (empty"), _find(results, "auth", "refresh (")
    full = next(
        (r for e in results["sizes"] if e["products"] == "auth" for r in e["scenarios"] if "-row table" in r["name"]),
        None,
    )
    if empty and full and "api" in empty and "api" in full:
        factor = full["api"]["p50_ms"] / empty["api"]["p50_ms"]
        add("refresh latency flat from empty to a full token table", f"{factor:.2f}x (p50)", factor <= 1.25)
    return lines


def markdown(results: dict[str, Any]) -> str:
    m, c = results["machine"], results["config"]
    out = [
        f"# bazary benchmark {results['started']}",
        "",
        f"commit `{m['commit']}`; {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB RAM; "
        f"Python {m['python']}, Django {m['django']}, DRF {m['djangorestframework']}, PostgreSQL {m['postgresql']}; "
        f"{m['wrk']}.",
        "",
        f"gunicorn {c['gunicorn_workers']} sync workers, DEBUG off, production settings; wrk {c['wrk_threads']} "
        f"thread(s), {c['wrk_connections']} connections over loopback; {c['warmup_s']:g} s warm-up, then median of "
        f"{c['repeats']} runs of {c['duration_s']:g} s, API and baseline alternating. Ratio = API req/s / baseline "
        "req/s (the baseline is a raw Django view returning the same JSON with `.values()`).",
        "",
        "## Seeding",
        "",
        "| what | rows | seconds | rows/s |",
        "|---|---|---|---|",
        *[f"| {s['what']} | {s['rows']:,} | {s['seconds']} | {s['rows_per_s']:,} |" for s in results["seed"]],
    ]
    for entry in results["sizes"]:
        title = f"{entry['products']:,} products" if isinstance(entry["products"], int) else "Auth"
        out += ["", f"## {title}"]
        if timing := in_process_lines(entry):
            out += ["", *timing]
        if any("api" in row for row in entry["scenarios"]):
            out += ["", *table(entry)]
        if latency := latency_lines(entry):
            out += ["", *latency]
        if any(row.get("explain") for row in entry["scenarios"]):
            out += ["", "EXPLAIN ANALYZE of the API's SQL (plans in `explain/`):", "", *explain_lines(entry)]
    if configs := results.get("configs"):
        out += ["", *config_lines(configs)]
    out += ["", "## Goals", "", *goals(results), ""]
    return "\n".join(out)


def plot(results: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib
    except ImportError:  # the bench dependency group has it; a bare run still gets results.md
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = [e for e in results["sizes"] if any("api" in r for r in e["scenarios"])]
    if not entries:
        return
    fig, axes = plt.subplots(len(entries), 1, figsize=(12, 3.8 * len(entries)), squeeze=False)
    for ax, entry in zip(axes[:, 0], entries, strict=True):
        rows = [r for r in entry["scenarios"] if "api" in r]
        x = range(len(rows))
        ax.bar([i - 0.2 for i in x], [r["api"]["rps"] for r in rows], 0.4, label="bazary API")
        ax.bar([i + 0.2 for i in x], [r["baseline"]["rps"] for r in rows], 0.4, label="raw Django baseline")
        for i, r in zip(x, rows, strict=True):
            ratio = _ratio(r)
            if ratio is not None:
                ax.annotate(f"{ratio:.0%}", (i - 0.2, r["api"]["rps"]), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(list(x), [r["name"] for r in rows], rotation=20, ha="right", fontsize=8)
        ax.set_ylabel("req/s (median)")
        title = f"{entry['products']:,} products" if isinstance(entry["products"], int) else "auth"
        ax.set_title(title)
        ax.legend(fontsize=8)
    fig.suptitle(f"bazary vs raw Django, {results['machine']['commit'][:12]}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, Any], out: Path) -> None:
    (out / "results.md").write_text(markdown(results))
    plot(results, out / "results.png")


if __name__ == "__main__":
    import json
    import sys

    folder = Path(sys.argv[1])
    write(json.loads((folder / "results.json").read_text()), folder)
