"""The reviewer's page, opened in a real headless browser, and the reviewer's workbook, read back with openpyxl.

Run as a script with ``--screenshot``, it saves the page of seed 003 as ``docs/review-003.png``:

    python tests/test_review.py --screenshot
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"
SEED_003 = SEEDS / "003_9668f26784509488.txt"
SEED_001 = SEEDS / "001_4aaa0c80d4c4e163.txt"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def browser(user_data_dir, width=1400, height=900):
    """Debian's chromium, headless, through its own chromedriver; nothing downloaded, a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={user_data_dir}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The page and the workbook of two reports, and what annotate() says about them."""
    from nlp.annotate import annotate_file
    from nlp.review import write_review

    folder = tmp_path_factory.mktemp("review")
    hostile = folder / "hostile.txt"
    hostile.write_text("一、工作情况\n\n本会<script>window.__ran = 1;</script>召开<b>会长会议</b>2次。\n", encoding="utf-8")
    sources = [str(SEED_003), str(SEED_001), str(hostile)]
    write_review(sources, out=folder / "review.html")
    write_review(sources, out=folder / "review.xlsx")
    return {"html": folder / "review.html", "xlsx": folder / "review.xlsx",
            "annotations": [annotate_file(s) for s in sources]}


@pytest.fixture(scope="module")
def page(outputs, tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    driver = browser(tmp_path_factory.mktemp("profile"))
    driver.get(outputs["html"].as_uri())
    yield driver
    driver.quit()


def _visible(driver, css):
    return [e for e in driver.find_elements("css selector", css) if e.is_displayed()]


def test_choosing_an_indicator_shows_its_evidence_highlighted(page):
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "status-filter")).select_by_value("")
    row = next(r for r in page.find_elements("css selector", "#doc-003_9668f26784509488 tr.indicator")
               if r.get_attribute("data-status") == "supported")
    evidence = page.find_element("id", row.get_attribute("data-target"))
    assert not evidence.is_displayed()
    row.click()
    assert evidence.is_displayed() and "chosen" in row.get_attribute("class")
    marks = [m for m in evidence.find_elements("css selector", "mark") if m.is_displayed()]
    assert marks and all(m.text for m in marks)
    # Choosing another closes the first.
    other = row.find_element("xpath", "following-sibling::tr[contains(@class, 'indicator')][1]")
    other.click()
    assert not evidence.is_displayed()


def test_the_link_scrolls_to_the_paragraph(page):
    row = page.find_elements("css selector", "#doc-003_9668f26784509488 tr.indicator")[0]
    row.click()
    link = page.find_element("id", row.get_attribute("data-target")).find_element("css selector", "a.goto")
    target = link.get_attribute("href").split("#", 1)[1]
    page.execute_script("window.scrollTo(0, 0)")
    link.click()
    assert page.execute_script("return location.hash") == "#" + target
    top, header, height = page.execute_script(
        "var r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return [r.top, document.querySelector('header.top').getBoundingClientRect().bottom, window.innerHeight];",
        target)
    assert header <= top < height  # in view, below the sticky header
    assert page.execute_script("return window.scrollY") > 0


def test_an_evidence_link_names_the_paragraph_as_the_narrative_does(page):
    links = page.find_elements("css selector", "#doc-003_9668f26784509488 a.goto")
    assert links
    for link in links:
        target = page.find_element("id", link.get_attribute("href").split("#", 1)[1])
        number = target.find_element("css selector", ".number").get_attribute("textContent")
        assert re.fullmatch(r"第 \d+ 段", number)
        assert link.get_attribute("textContent") == "转到" + number
    # The numbers run 1..N down the narrative.
    items = page.find_elements("css selector", "#doc-003_9668f26784509488 li.paragraph")
    assert [i.find_element("css selector", ".number").get_attribute("textContent") for i in items] == [
        f"第 {n} 段" for n in range(1, len(items) + 1)]


def test_the_labels_are_chinese_the_values_stay(page):
    from nlp.review import NAMES

    section = page.find_element("id", "doc-003_9668f26784509488")
    assert [th.text for th in section.find_elements("css selector", "table.indicators th")] == [
        "项目", "一级指标", "二级指标", "指标", "指标值", "完成值", "分值", "得分", "状态", "最高置信度", "审核发现"]
    for row in section.find_elements("css selector", "tr.indicator"):
        status = row.get_attribute("data-status")
        assert row.find_element("css selector", "td.status").text == NAMES["status"][status]
    options = page.find_elements("css selector", "#status-filter option")
    assert [(o.get_attribute("value"), o.text) for o in options] == [
        ("", "全部"), ("supported", "有依据"), ("weak", "依据较弱"), ("unsupported", "无依据")]
    options = page.find_elements("css selector", "#category-filter option")
    assert [(o.get_attribute("value"), o.text) for o in options] == [
        ("", "全部"), ("political_guidance", "政治引领"), ("enterprise_services", "服务企业"),
        ("poverty_alleviation", "脱贫攻坚与光彩事业"), ("investment_promotion", "招商引资"), ("other", "其他")]
    labels = section.find_elements("css selector", "span.label")
    assert labels and all(x.get_attribute("textContent") == NAMES["category"][x.get_attribute("data-category")]
                          for x in labels)
    words = page.find_element("tag name", "body").get_attribute("textContent")
    for english in ("supported", "poverty_alleviation", "Evidence", "go to paragraph", "Narrative", "Findings"):
        assert english not in words


def test_the_filters_hide_what_they_should(page):
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "status-filter")).select_by_value("weak")
    shown = _visible(page, "tr.indicator")
    assert shown and {r.get_attribute("data-status") for r in shown} == {"weak"}
    assert not [r for r in page.find_elements("css selector", "tr.indicator")
                if r.get_attribute("data-status") != "weak" and r.is_displayed()]
    Select(page.find_element("id", "status-filter")).select_by_value("")
    assert len(_visible(page, "tr.indicator")) == len(page.find_elements("css selector", "tr.indicator"))

    Select(page.find_element("id", "category-filter")).select_by_value("poverty_alleviation")
    shown = _visible(page, "li.paragraph")
    assert shown and all(" poverty_alleviation " in p.get_attribute("data-labels") for p in shown)
    assert len(shown) < len(page.find_elements("css selector", "li.paragraph"))
    # A paragraph keeps its number when others are hidden.
    assert all(p.find_element("css selector", ".number").text == f"第 {p.get_attribute('value')} 段" for p in shown)
    assert any(p.get_attribute("value") != "1" for p in shown)
    Select(page.find_element("id", "category-filter")).select_by_value("")


def test_report_text_is_shown_as_text(page):
    assert page.execute_script("return window.__ran === undefined")
    assert len(page.find_elements("css selector", "script")) == 1
    text = page.find_element("id", "doc-hostile").text
    assert "<script>window.__ran = 1;</script>" in text and "<b>会长会议</b>" in text
    assert "本报告没有绩效指标表。" in text


def test_no_request_leaves_the_page(page, outputs):
    html = outputs["html"].read_text(encoding="utf-8")
    assert not re.search(r"https?://", html)
    assert "default-src 'none'" in html
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_one_page_lists_every_report(page):
    links = [a.get_attribute("href").split("#")[1] for a in page.find_elements("css selector", "nav#reports a")]
    assert links == ["doc-003_9668f26784509488", "doc-001_4aaa0c80d4c4e163", "doc-hostile"]


def test_print_shows_every_indicator_s_evidence(page):
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        rows = page.find_elements("css selector", "tr.evidence-row")
        assert rows and all(r.is_displayed() for r in rows)
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.fixture(scope="module")
def workbook(outputs):
    from openpyxl import load_workbook

    return load_workbook(outputs["xlsx"])


HEADERS = {
    "summary": ["report", "unit", "year", "paragraphs", "indicators", "supported", "weak", "unsupported", "findings"],
    "indicators": ["report", "id", "project", "level1", "level2", "name", "target", "actual", "points", "score",
                   "status", "best confidence", "best evidence", "findings"],
    "links": ["report", "indicator", "project", "name", "rank", "paragraph", "confidence", "text"],
    "paragraphs": ["report", "id", "section", "text", "labels"],
}


@pytest.mark.parametrize("sheet", list(HEADERS))
def test_workbook_sheets_headers_frozen_filtered(workbook, sheet):
    assert workbook.sheetnames == list(HEADERS)
    ws = workbook[sheet]
    header = [c.value for c in ws[1]]
    assert header[:len(HEADERS[sheet])] == HEADERS[sheet]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == ws.dimensions
    assert all(ws.column_dimensions[c].width > 5 for c in "ABCD")


def test_workbook_rows_one_per_indicator_link_and_paragraph(workbook, outputs):
    annotations = outputs["annotations"]
    evidence = [e for a in annotations for e in a.evidence]
    indicators = list(workbook["indicators"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in indicators] == [e["indicator"]["id"] for e in evidence]
    assert [r[10] for r in indicators] == [e["status"] for e in evidence]
    links = list(workbook["links"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[5]) for r in links] == [(e["indicator"]["id"], x["id"]) for e in evidence for x in e["evidence"]]
    assert workbook["paragraphs"].max_row - 1 == sum(len(a.tags) for a in annotations)
    summary = list(workbook["summary"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in summary] == ["003_9668f26784509488", "001_4aaa0c80d4c4e163", "hostile"]
    assert summary[0][1] == "芷江侗族自治县工商业联合会" and summary[0][8] == 4  # the four all-100% tables
    # The summary's finding list says which table or indicator each finding is about.
    assert "老工商业者及遗孀生活困难补助: all-100: " in summary[0][-1]


def test_workbook_numbers_are_numbers(workbook):
    from nlp.read import read_report

    cells = {b.indicator.id: b.indicator for seed in (SEED_003, SEED_001) for b in read_report(seed)
             if b.kind == "indicator"}
    rows = [r for r in workbook["indicators"].iter_rows(min_row=2, values_only=True) if r[1] in cells]
    stated = [(cells[r[1]].points, cells[r[1]].score) for r in rows]
    assert [(r[8], r[9]) for r in rows] == [tuple(float(v) if v else None for v in pair) for pair in stated]
    assert any(r[8] is not None for r in rows)
    assert all(isinstance(v, (int, float)) for r in rows for v in (r[8], r[9], r[11]) if v is not None)
    # Text that is no plain number stays text.
    assert any(isinstance(r[6], str) and r[6].endswith("%") for r in rows)
    summary = list(workbook["summary"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in summary] == [2023, 2019, None]  # 2023年, 2019年 in the reports; none in hostile.txt
    assert all(isinstance(v, int) for r in summary for v in r[3:9])
    assert all(isinstance(r[6], float) for r in workbook["links"].iter_rows(min_row=2, values_only=True))


def test_workbook_status_colours(workbook):
    from nlp.review import COLOURS

    ws = workbook["indicators"]
    seen = set()
    for row in ws.iter_rows(min_row=2):
        status = row[10]
        assert status.fill.start_color.rgb[-6:] == COLOURS[status.value]
        seen.add(status.value)
    assert len(seen) >= 2
    assert any("003_9668f26784509488" in (c.value or "") for c in ws["A"])
    # The projects of seed 003 tell its four 成本预算 rows apart.
    projects = {r[2] for r in ws.iter_rows(min_row=2, values_only=True) if r[5] == "成本预算"}
    assert len(projects) == 4


def test_review_refuses_other_outputs(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nlp", "review", str(SEED_001), "-o", str(tmp_path / "r.pdf")],
                       capture_output=True, timeout=120)
    assert r.returncode == 2 and r.stderr.decode().strip().endswith("unknown review type '.pdf'; expected .html or .xlsx")


def nlp(*args):
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, timeout=300, cwd=ROOT)


def _page_reports(path):
    """The reports a page shows, by the ids of its sections."""
    import lxml.html

    return [s.get("id") for s in lxml.html.fromstring(path.read_text(encoding="utf-8")).iter("section")]


@pytest.mark.parametrize("suffix", [".xlsx", ".html"])
def test_bad_inputs_are_listed_and_the_good_reports_written(tmp_path, suffix):
    from openpyxl import load_workbook

    empty, fake = tmp_path / "empty.txt", tmp_path / "fake.docx"
    empty.write_bytes(b"")
    fake.write_bytes(b"not a word file")
    out = tmp_path / f"m{suffix}"
    r = nlp("review", str(SEED_001), str(empty), str(fake), "-o", str(out))
    lines = r.stderr.decode().strip().splitlines()
    assert r.returncode == 2
    assert lines[:2] == [f"error: {empty}: file is empty",
                         f"error: {fake}: not a valid .docx file (it is not a zip archive, as a .docx file is)"]
    assert lines[2].startswith(f"wrote {out}: 1 report(s)")
    if suffix == ".xlsx":
        assert [r[0] for r in load_workbook(out)["summary"].iter_rows(min_row=2, values_only=True)] == [SEED_001.stem]
    else:
        assert _page_reports(out) == [f"doc-{SEED_001.stem}"]
    # With no good report, nothing is written.
    r = nlp("review", str(empty), "-o", str(tmp_path / f"none{suffix}"))
    assert r.returncode == 2 and not (tmp_path / f"none{suffix}").exists()


def test_a_folder_is_searched_for_reports(tmp_path):
    folder = tmp_path / "reports"
    (folder / "north").mkdir(parents=True)
    shutil.copy(SEED_001, folder / "001.txt")
    shutil.copy(SEED_003, folder / "north" / "003.txt")
    out = folder / "review.html"
    for _ in range(2):  # the second time, the page itself is in the folder and is not read
        r = nlp("review", str(folder), "-o", str(out))
        assert r.returncode == 0, r.stderr.decode()
        assert _page_reports(out) == ["doc-001", "doc-north/003"]


if __name__ == "__main__" and sys.argv[1:] == ["--screenshot"]:
    from nlp.review import write_review

    with tempfile.TemporaryDirectory() as folder:
        write_review([str(SEED_003)], out=Path(folder) / "review.html")
        driver = browser(Path(folder) / "profile", width=1400, height=1000)
        try:
            driver.get((Path(folder) / "review.html").as_uri())
            row = next(r for r in driver.find_elements("css selector", "tr.indicator")
                       if r.get_attribute("data-status") == "supported")
            row.click()
            (ROOT / "docs").mkdir(exist_ok=True)
            driver.save_screenshot(str(ROOT / "docs" / "review-003.png"))
        finally:
            driver.quit()
            shutil.rmtree(Path(folder) / "profile", ignore_errors=True)
