"""``make bench-scaling``: is every stage linear on pathological input?

Each generated input (one repeated cue, no punctuation, one giant line, 100k tiny lines,
deeply nested markup, 100k markers) is fed at several sizes (default 10 kB, 100 kB, 1 MB,
10 MB) through every stage of one document's ingest, one stage after the other: read (HTML
to text for the markup input), clean, metadata, extract, citations, audit, terms, Arrow
batch. It prints the time per MB of every stage at every size and the *slope*: time per MB
at the largest size divided by time per MB at the second size (100 kB). A linear stage has a
slope near 1; the check is slope <= 1.5 (``--max-slope``). It also prints the end-to-end time
of each input (the sum of the stages) and flags any input of up to 10 MB over 30 s.

The figures are wall-clock seconds: run on an idle machine (the load average is printed and a
busy machine's run is marked not comparable). Inputs are generated in memory; nothing is
written except the JSON result (``--out``).

Example: python -m benchmarks.scaling --sizes 10k,100k,1m --inputs repeated_cue,giant_line
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

KB, MB = 1_000, 1_000_000
MAX_SECONDS = 30.0  # no input of up to 10 MB may take longer to ingest

# Building blocks written for this benchmark (no corpus text): a cue-heavy clause, plain
# prose without punctuation, and short lines.
_CUE = "美国对华加征关税推动脱钩断链IPEF"
_PROSE = ("中国与美国在供应链产业链领域的合作与竞争长期并存双方在半导体新能源和数字经济方面"
          "的政策选择影响全球贸易格局各国企业调整投资布局以应对不确定性")


def _repeat(unit: str, nbytes: int) -> str:
    per = len(unit.encode("utf-8"))
    return unit * max(1, nbytes // per)


def gen_repeated_cue(nbytes: int) -> tuple[str, str]:
    """One cue phrase repeated: one sentence with a hit every few characters."""
    return _repeat(_CUE, nbytes), "text"


def gen_no_punctuation(nbytes: int) -> tuple[str, str]:
    """Prose without any sentence punctuation, wrapped every 40 characters (a PDF that lost
    its stops): one sentence as long as the document."""
    text = _repeat(_PROSE, nbytes)
    return "\n".join(text[i:i + 40] for i in range(0, len(text), 40)), "text"


def gen_giant_line(nbytes: int) -> tuple[str, str]:
    """Sentences with punctuation but not a single line break."""
    return _repeat(_PROSE[:30] + "，" + _PROSE[30:60] + "。", nbytes), "text"


def gen_tiny_lines(nbytes: int) -> tuple[str, str]:
    """Very many very short lines (a table exported one cell per line)."""
    return _repeat("数据\n12\n", nbytes), "text"


def gen_nested_markup(nbytes: int) -> tuple[str, str]:
    """Deeply nested ``<sup>`` and ``<div>`` elements (read as HTML)."""
    unit_open, unit_close = "<div><sup>", "</sup></div>"
    depth = max(1, nbytes // (len(unit_open) + len(unit_close) + 3))
    html = "<html><body><p>美国" + unit_open * depth + "脱钩" + unit_close * depth + "</p></body></html>"
    return html, "html"


def gen_markers(nbytes: int) -> tuple[str, str]:
    """A paragraph dense with footnote markers, then the notes block."""
    body = _repeat("供应链安全[1]产业政策②", nbytes - 200)
    return body + "。\n\n注释：\n[1] 作者：《产业政策研究》，2023年。\n② 同上。\n", "text"


GENERATORS: dict[str, Callable[[int], tuple[str, str]]] = {
    "repeated_cue": gen_repeated_cue,
    "no_punctuation": gen_no_punctuation,
    "giant_line": gen_giant_line,
    "tiny_lines": gen_tiny_lines,
    "nested_markup": gen_nested_markup,
    "markers": gen_markers,
}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    for suffix, factor in (("kb", KB), ("k", KB), ("mb", MB), ("m", MB)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


def run_stages(text: str, fmt: str, *, segmenter: str = "jieba") -> dict[str, float]:
    """Seconds of each stage for one document (each stage fed the previous one's output)."""
    from pipeline.audit import audit_document
    from pipeline.citations import extract_citations
    from pipeline.clean import clean_text
    from pipeline.extract import extract_sentences, get_extractor
    from pipeline.extract.terms import default_term_counter
    from pipeline.ingest.html import html_to_text
    from pipeline.ingest.metadata import resolve_metadata
    from pipeline.ingest.process import process_document
    from pipeline.schema import RawDocument
    from pipeline.segment import segmenter_for
    from pipeline.store import prepare_batch

    tokenizer = segmenter_for(segmenter, None)
    extractor = get_extractor()
    counter = default_term_counter(None)
    times: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times[name] = time.perf_counter() - t0
        return out

    if fmt == "html":
        text = timed("read", lambda: html_to_text(text, "bench.html"))
    else:
        times["read"] = 0.0
    raw = RawDocument(doc="bench.txt", path="bench.txt", raw_text=text, fmt="text")
    cleaned = timed("clean", lambda: clean_text(raw.raw_text, fmt=raw.fmt))
    meta = timed("metadata", lambda: resolve_metadata(raw, cleaned, None))
    timed("extract", lambda: extract_sentences(cleaned.sentences, extractor=extractor))
    citations = timed("citations", lambda: extract_citations(raw.doc, cleaned.sentences, cleaned.markers, cleaned.notes))
    timed("audit", lambda: audit_document(raw.doc, meta, cleaned.sentences, cleaned.markers, cleaned.notes, citations,
                                          tokenizer=tokenizer))
    timed("terms", lambda: counter.count_sentences(cleaned.sentences))
    # end to end: the same work again as ingest runs it (one call), then the Arrow batch
    t0 = time.perf_counter()
    processed = process_document(raw, tokenizer=tokenizer)
    batch = timed("batch", lambda: prepare_batch([processed]))
    times["end_to_end"] = time.perf_counter() - t0 + times["read"]
    del batch, processed
    return times


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def slope(per_mb: list[float]) -> float | None:
    """Time per MB at the largest size over time per MB at the second size (the first size is
    dominated by fixed costs)."""
    if len(per_mb) < 2:
        return None
    base = per_mb[1] if len(per_mb) > 2 else per_mb[0]
    return per_mb[-1] / base if base > 0 else None


def run_scaling(inputs: list[str], sizes: list[int], *, segmenter: str = "jieba", echo=print) -> dict[str, Any]:
    load = load_average()
    cores = os.cpu_count() or 1
    result: dict[str, Any] = {"when": datetime.now().isoformat(timespec="seconds"), "load_average": load, "cores": cores,
                              "comparable": not load > cores, "sizes": sizes, "segmenter": segmenter, "inputs": {}}
    run_stages("美国对华加征关税。", "text", segmenter=segmenter)  # load lexicons, dictionary and automata once
    for name in inputs:
        rows = []
        for size in sizes:
            text, fmt = GENERATORS[name](size)
            nbytes = len(text.encode("utf-8"))
            times = run_stages(text, fmt, segmenter=segmenter)
            total = times.pop("end_to_end")
            rows.append({"bytes": nbytes, "seconds": times, "total": total})
            echo(f"  {name:15s} {nbytes / MB:8.3f} MB  total {total:7.2f} s  " +
                 "  ".join(f"{k} {v / (nbytes / MB):.2f}" for k, v in times.items()) + "  (s/MB)")
        stages = list(rows[0]["seconds"])
        slopes = {stage: slope([r["seconds"][stage] / (r["bytes"] / MB) for r in rows]) for stage in stages}
        slopes["total"] = slope([r["total"] / (r["bytes"] / MB) for r in rows])
        result["inputs"][name] = {"rows": rows, "slopes": slopes,
                                  "over_time": [r["bytes"] for r in rows if r["bytes"] <= 10.5 * MB and r["total"] > MAX_SECONDS]}
    return result


def format_report(result: dict[str, Any], max_slope: float) -> tuple[str, bool]:
    lines = [f"load average {result['load_average']:.2f} on {result['cores']} cores"
             + ("" if result["comparable"] else "  ** machine busy: figures NOT comparable **")]
    ok = True
    for name, r in result["inputs"].items():
        worst = {k: v for k, v in r["slopes"].items() if v is not None}
        # a stage that takes under 5 ms at the largest size has no meaningful slope
        big = r["rows"][-1]["seconds"]
        flagged = [k for k, v in worst.items() if v > max_slope and (k == "total" or big.get(k, 0) > 0.005)]
        ok = ok and not flagged and not r["over_time"]
        lines.append(f"{name:15s} slope " + "  ".join(f"{k} {v:.2f}" for k, v in worst.items())
                     + (f"   FLAT: NO ({', '.join(flagged)})" if flagged else "   flat")
                     + (f"   OVER {MAX_SECONDS:.0f} s at {r['over_time']} bytes" if r["over_time"] else ""))
    return "\n".join(lines), ok


@click.command()
@click.option("--sizes", default="10k,100k,1m,10m", show_default=True, help="comma-separated sizes (k, m suffixes)")
@click.option("--inputs", default=",".join(GENERATORS), show_default=True, help="comma-separated generated inputs")
@click.option("--segmenter", default="jieba", show_default=True)
@click.option("--max-slope", default=1.5, show_default=True, type=float)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench-results"), show_default=True)
def main(sizes: str, inputs: str, segmenter: str, max_slope: float, out: Path) -> None:
    names = [n.strip() for n in inputs.split(",") if n.strip()]
    unknown = [n for n in names if n not in GENERATORS]
    if unknown:
        raise click.BadParameter(f"unknown input(s) {', '.join(unknown)}; choose from {', '.join(GENERATORS)}")
    size_list = [parse_size(s) for s in sizes.split(",") if s.strip()]
    click.echo(f"scaling: {', '.join(names)} at {', '.join(f'{s / MB:g} MB' for s in size_list)}")
    result = run_scaling(names, size_list, segmenter=segmenter, echo=click.echo)
    report, ok = format_report(result, max_slope)
    result["flat"] = ok
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"scaling-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    click.echo(report)
    click.echo(f"written {path}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
