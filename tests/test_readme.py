"""Every example of the README is run: Python blocks with exec, shell lines through the CLI,
on the project's sample corpus (corpora/sample/) standing in for ../shared/corpus."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SAMPLE = ROOT / "corpora" / "sample"
# the shared corpus's document names in the examples -> documents of the sample corpus
NAMES = {"000_cbb83d75210a49e2.txt": "01_friendshoring_note.txt", "003_5b52caaf45a6c733.txt": "02_decoupling_debate.md",
         "government_work_reports.jsonl#3": "gov.jsonl#2"}
# lines that need what a test cannot have: the make targets, a cluster, the shared gold, bash
NOT_RUN = ("make ", "dask ", "--scheduler", "--workers", "../shared/gold")


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", README, re.S)


def shell_lines() -> list[str]:
    lines = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = line.strip()
            missing = [w for w in line.split() if w.startswith("corpora/") and not (ROOT / w).exists()]
            if line and not line.startswith("#") and not any(s in line for s in NOT_RUN) and not missing:
                lines.append(line)
    return lines


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    base = tmp_path_factory.mktemp("readme")
    project, shared = base / "proj", base / "shared" / "corpus"
    project.mkdir()
    shutil.copytree(SAMPLE, shared / "seeds")
    (shared / "gov-work-reports").mkdir(parents=True)
    shutil.copy(SAMPLE / "04_briefs.jsonl", shared / "gov-work-reports" / "gov.jsonl")
    (project / "corpora").symlink_to(ROOT / "corpora")
    shutil.copytree(SAMPLE, project / "dumps")
    shutil.copytree(SAMPLE, project / "new")
    shutil.copytree(ROOT / "pipeline" / "lexicons", project / "my-lexicons", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (project / "dump.jsonl").write_text(
        "\n".join(json.dumps({"id": f"r{i}", "content": f"第{i}条：美方推动脱钩，我们主张去风险而非断链。"}, ensure_ascii=False) for i in range(3)) + "\n",
        encoding="utf-8")
    (project / "sentences.jsonl").write_text(json.dumps({"text": "加征关税与出口管制。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    write_small_pdf(project / "article.pdf")
    return project


def write_small_pdf(path: Path) -> None:
    """A one-page text PDF for the README's PDF example (reportlab's built-in CJK font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(path), pagesize=A4)
    page.setFont("STSong-Light", 11)
    page.drawString(72, 760, "美方推动脱钩，我们主张扩大开放合作。")
    page.save()


def run_line(line: str, cwd: Path) -> tuple[int, str]:
    stdin = None
    line = re.split(r"\s+#\s", line)[0]
    if "|" in line and line.startswith("echo "):
        left, line = (part.strip() for part in line.split("|", 1))
        stdin = shlex.split(left)[1] + "\n"
    args = shlex.split(line)
    out_file = None
    if ">" in args:
        at = args.index(">")
        out_file, args = args[at + 1], args[:at]
    assert args[0] == "policytext", line
    args = [NAMES.get(a, a) for a in args[1:]]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, input=stdin)
    finally:
        os.chdir(old)
    if out_file:
        (cwd / out_file).write_text(result.stdout, encoding="utf-8")
    return result.exit_code, result.output + (f"\n{result.exception!r}" if result.exception and not isinstance(result.exception, SystemExit) else "")


@pytest.mark.slow
def test_every_shell_example_runs(workdir):
    failed = []
    for line in shell_lines():
        code, output = run_line(line, workdir)
        if code != 0:
            failed.append(f"{line}\n  -> exit {code}: {output.strip()[-400:]}")
    assert not failed, "\n".join(failed)


def test_every_python_example_runs(workdir):
    old = os.getcwd()
    os.chdir(workdir)
    try:
        for block in blocks("python"):
            exec(compile(block, "README.md", "exec"), {})
    finally:
        os.chdir(old)
    assert (workdir / "sample.duckdb").exists()


def test_the_examples_are_found():
    assert len(blocks("python")) >= 2
    assert any(line.startswith("policytext emerging") for line in shell_lines())
