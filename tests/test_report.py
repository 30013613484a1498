import os
import shutil
import subprocess
import time

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.report import write_report
from pipeline.store import Store
from trends_fixture import build_store

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture
def report_dir(tmp_path):
    db = build_store(tmp_path / "r.duckdb")
    with Store.open(db) as store:
        # a malicious title as well as the malicious sentence of the fixture
        store.con.execute("UPDATE documents SET title = ? WHERE doc = 'd2022.txt'", [PAYLOAD + "标题"])
        index = write_report(store, tmp_path / "report")
    return index


def test_report_folder_is_self_contained(report_dir):
    out = report_dir.parent
    assert {p.name for p in out.iterdir()} >= {"index.html", "vega.js", "report.js", "style.css", "kwic"}
    html = report_dir.read_text(encoding="utf-8")
    assert 'src="http' not in html and 'href="http' not in html  # nothing fetched from a CDN
    for section in ("Corpus overview", "Tracked terms by year", "Frameworks and instruments by year", "Stance share by year"):
        assert section in html
    assert 'href="kwic/term-' in html  # each chart lists the KWIC lines behind it


def test_article_text_is_escaped_everywhere(report_dir):
    pages = [p.read_text(encoding="utf-8") for p in report_dir.parent.rglob("*.html")]
    assert all("<script>alert" not in p and "<img src=x" not in p for p in pages)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p for p in pages)


def test_report_command(tmp_path):
    db = build_store(tmp_path / "c.duckdb")
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("report: ") and (tmp_path / "rep" / "index.html").exists()


# -- in a real browser ----------------------------------------------------------------------

CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1200,2000"]


def _ensure_chromium():
    missing = [pkg for pkg, binary in (("chromium", "chromium"), ("chromium-driver", "chromedriver"), ("fonts-noto-cjk", None))
               if (binary and not shutil.which(binary)) or (binary is None and not _has_cjk_font())]
    if not missing:
        return
    if os.geteuid() != 0:
        pytest.skip(f"needs Debian packages {' '.join(missing)} (apt-get install as root)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def _has_cjk_font():
    found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True) if shutil.which("fc-list") else None
    return bool(found and found.stdout.strip())


@pytest.fixture
def browser(tmp_path):
    _ensure_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chrome-profile'}")
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def _no_alert(driver):
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


# Chinese is rendered, not tofu: with no CJK font every Han character is drawn as the same
# .notdef box (the same as a private-use code point). So two different characters drawn in the
# page's font must give different pixels, and differ from the box of U+E000.
GLYPHS_JS = """
const font = '40px ' + getComputedStyle(document.body).fontFamily;
function pixels(ch) {
  const canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;
  const c = canvas.getContext('2d'); c.font = font; c.fillStyle = '#000'; c.fillText(ch, 2, 40);
  return Array.from(c.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3)).join(',');
}
const a = pixels('保'), b = pixels('护'), box = pixels('\\ue000');
return {distinct: a !== b, not_box: a !== box && b !== box, inked: a.split(',').some(v => v !== '0')};
"""


@pytest.mark.browser
def test_report_in_headless_chromium(report_dir, browser, tmp_path):
    browser.get(report_dir.as_uri())
    deadline = time.time() + 20
    while time.time() < deadline and browser.execute_script("return document.querySelectorAll('div.vega svg').length") < 3:
        time.sleep(0.25)
    assert browser.execute_script("return document.querySelectorAll('div.vega svg').length") >= 3, "charts did not render"
    chart_text = browser.execute_script("return Array.from(document.querySelectorAll('div.vega svg text')).map(t => t.textContent).join(' ')")
    assert "保护主义" in chart_text  # Chinese chart title drawn by Vega
    assert _no_alert(browser)
    assert browser.execute_script(GLYPHS_JS) == {"distinct": True, "not_box": True, "inked": True}
    browser.save_screenshot(str(tmp_path / "report.png"))
    # the KWIC page behind the 保护主义 chart, with the malicious sentence inert
    link = browser.execute_script("return Array.from(document.querySelectorAll('.links a')).find(a => a.closest('.chart').textContent.includes('保护主义')).getAttribute('href')")
    browser.get((report_dir.parent / link.split("#")[0]).as_uri())
    assert browser.execute_script("return document.querySelectorAll('table.kwic td.match').length") >= 5
    assert "保护主义" in browser.execute_script("return document.querySelector('table.kwic').innerText")
    browser.get((report_dir.parent / "kwic" / "stance.html").as_uri())
    assert _no_alert(browser)
    assert browser.execute_script("return document.querySelectorAll('img, script').length") == 0
    assert "<script>alert(1)</script>" in browser.execute_script("return document.body.innerText")
    shot = tmp_path / "kwic.png"
    browser.save_screenshot(str(shot))
    keep = os.environ.get("POLICYTEXT_SCREENSHOTS")
    if keep:
        shutil.copy(tmp_path / "report.png", keep + "-report.png")
        shutil.copy(shot, keep + "-kwic.png")
