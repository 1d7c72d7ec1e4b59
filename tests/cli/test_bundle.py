"""``vcr-tui bundle``: the real command writes the page; a real headless Chromium opens it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from recorder import fork_recording
from tests.support.browser_support import browser, screenshot
from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.vcr_lines import frame, header
from vcr_tui.bundle.page import json_block
from vcr_tui.bundle.payload import CHUNK_FRAMES

SAMPLE = Path(__file__).resolve().parents[2] / "vcr_tui" / "samples" / "sample.vcr"
HTML_ATTACKS = [
    "</script><script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<!--<script>window.__pwned = 'comment'</script>-->",
    "<svg onload=\"window.__pwned='svg'\"><b>bold</b>",
    '"><iframe src="javascript:window.__pwned=1">',
    "\u2028\u2029 line separators </SCRIPT >",
]
PAGE_TAGS = {
    "HTML", "HEAD", "META", "TITLE", "STYLE", "BODY", "NOSCRIPT", "HEADER", "MAIN", "SCRIPT",
    "DIV", "SPAN", "DETAILS", "SUMMARY", "BUTTON",
}  # fmt: skip
PAGE_ATTRIBUTES = {"class", "id", "tabindex", "type", "hidden", "open", "style", "lang", "charset", "name", "content"}
PAGE_ATTRIBUTES |= {"http-equiv", "data-index", "data-run", "data-ready", "data-shown"}


def bundle(recording: Path, output: Path, *args: str) -> Path:
    result = run_cli("bundle", str(recording), "-o", str(output), *args, cwd=output.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {output}: ")
    return output


def open_page(context, path: Path, requests: list[str] | None = None):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1'][data-shown]")
    page.errors = errors
    return page


def shown(page, run: int, index: int) -> None:
    page.wait_for_selector(f"body[data-shown='{run}:{index}']")


def open_every_branch(page) -> None:
    """Open every collapsed node, level by level (children are built when a node opens)."""
    for _ in range(50):
        opened = page.evaluate(
            "() => { const closed = [...document.querySelectorAll('details:not([open])')];"
            " closed.forEach((node) => { node.open = true; }); return closed.length; }"
        )
        more = page.evaluate(
            "() => { const b = [...document.querySelectorAll('button.more')]; b.forEach((x) => x.click()); return b.length; }"
        )
        if not opened and not more:
            return
        page.wait_for_timeout(20)  # the toggle events run before the next look
    raise AssertionError("the tree kept growing")


def test_the_bundle_shows_frames_state_and_changes(tmp_path: Path) -> None:
    page_file = bundle(SAMPLE, tmp_path / "run.html")
    requests: list[str] = []
    with browser(tmp_path / "profile") as context:
        page = open_page(context, page_file, requests)
        assert page.inner_text("#run-title").startswith("sample_weather_report")
        assert "13 frames" in page.inner_text("#run-facts")
        rows = page.locator("#frames .row")
        assert rows.count() == 13
        assert rows.nth(1).inner_text().split() == ["#1", "◆", "llm", "llm:gpt-4o-mini", "812", "ms", "60"]
        assert page.inner_text("#frame-title") == "#0 ● node  plan"
        assert 'task: "Write a short weather report for Lisbon and Porto"' in page.inner_text("#state")
        assert page.inner_text("#step-caption") == "#0 input → #0 output   2 changes: 1 added, 1 changed"
        assert page.inner_text("#changes").splitlines() == [
            '+ $.plan  [3] ["fetch forecasts","compare","write report"]',
            "~ $.step  0 → 1",
        ]
        page.keyboard.press("j")
        page.keyboard.press("j")
        shown(page, 0, 2)
        assert page.inner_text("#frame-title") == "#2 ■ tool  tool:get_forecast"
        assert page.inner_text("#frames .row.selected").startswith("#2")
        page.keyboard.press("i")  # the output side
        page.wait_for_selector("#side-out.active")
        assert "Forecast" in page.inner_text("#state")
        page.keyboard.press("j")
        shown(page, 0, 3)
        assert "failed" in (page.get_attribute("#frame-title", "class") or "")
        assert "error" in page.inner_text("#frame-facts")
        page.keyboard.press("G")
        shown(page, 0, 12)
        page.click("#frames .row[data-index='8']")
        shown(page, 0, 8)
        open_every_branch(page)
        assert "content" in page.inner_text("#state")
        screenshot(page, "bundle-sample")
        assert page.errors == []
    assert all(url.startswith("file://") for url in requests), requests  # nothing from the network


def test_forks_come_as_a_tree_with_forks(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    original = folder / "sample.vcr"
    original.write_bytes(SAMPLE.read_bytes())
    with fork_recording(original, 2, new_session_id="fix-city", output_dir=folder) as fork:
        fork.record_step("retry", {"city": "Porto"}, {"ok": True})
    with fork_recording(fork.path, 1, new_session_id="fix-again", output_dir=folder) as deeper:
        deeper.record_step("again", {}, {"ok": True})
    (folder / "unrelated.vcr").write_bytes(header("other") + frame("x"))
    alone = bundle(original, tmp_path / "alone.html")
    family = bundle(original, tmp_path / "family.html", "--with-forks")
    with browser(tmp_path / "profile") as context:
        page = open_page(context, alone)
        assert page.locator("#runs").is_hidden()
        page = open_page(context, family)
        runs = page.locator("#runs .run")
        assert runs.count() == 3
        lines = [runs.nth(index).inner_text() for index in range(3)]
        assert lines[0].startswith("sample_weather_report")
        assert lines[1].startswith("↳ fix-city") and "forked at #2" in lines[1]
        assert lines[2].startswith("↳ fix-again") and "forked at #1" in lines[2]
        runs.nth(1).click()
        shown(page, 1, 0)
        assert page.inner_text("#run-title").startswith("fix-city")
        page.keyboard.press("G")
        last = page.locator("#frames .row").count() - 1
        shown(page, 1, last)
        assert "retry" in page.inner_text("#frame-title")
        assert page.errors == []
    assert "unrelated" not in family.read_text()


def test_hostile_strings_stay_text(app_recordings, tmp_path: Path) -> None:
    """The terminal-safety recording plus HTML attacks: shown literally, no element or script from them."""
    hostile = app_recordings.hostile()
    with hostile.open("ab") as out:
        for index, attack in enumerate(HTML_ATTACKS, start=2):
            out.write(
                frame(
                    attack,
                    index,
                    frame_type="error",
                    input_state={attack: attack, "nested": {"list": [attack, {attack: [attack]}]}},
                    output_state={"error": attack},
                    metadata={
                        "model": attack,
                        "latency_ms": 1.0,
                        "error_type": attack,
                        "error_message": attack,
                        "custom": {},
                    },
                )
            )
        out.write(header(HTML_ATTACKS[0], parent_session_id=HTML_ATTACKS[1], tags=HTML_ATTACKS))
    page_file = bundle(hostile, tmp_path / "hostile.html")
    raw = page_file.read_text(encoding="utf-8")
    assert raw.lower().count("</script") == 2  # the data block's end and the viewer's: none from the file
    assert raw.lower().count("<script") == 2
    assert "\x1b" not in raw and "\x07" not in raw and "\u2028" not in raw
    with browser(tmp_path / "profile") as context:
        page = open_page(context, page_file)
        count = page.locator("#frames .row").count()
        assert count == 2 + len(HTML_ATTACKS)
        for index in range(count):
            for side in ("in", "out"):
                page.click(f"#side-{side}")
                page.click(f"#frames .row[data-index='{index}']")
                shown(page, 0, index)
                open_every_branch(page)
                check_nothing_came_alive(page)
            if index == count - 1:
                screenshot(page, "bundle-hostile")
        text = page.inner_text("body")
        for attack in HTML_ATTACKS[:5]:
            assert attack in text
        assert "[bold red]x[/] [link=http://e]click[/link]" in text
        assert "␛]52;c;aGFjaw==␇" in text and "␛[31mred␍" in text  # control characters made visible
        assert "line separators </SCRIPT >" in text
        assert page.errors == []


def check_nothing_came_alive(page) -> None:
    facts = page.evaluate(
        """() => ({
            pwned: window.__pwned === undefined ? null : String(window.__pwned),
            tags: [...new Set([...document.querySelectorAll('*')].map((node) => node.tagName))],
            attributes: [...new Set([...document.querySelectorAll('*')].flatMap((node) => node.getAttributeNames()))],
            scripts: document.scripts.length,
            frames: window.frames.length,
        })"""
    )
    assert facts["pwned"] is None
    assert set(facts["tags"]) <= PAGE_TAGS, set(facts["tags"]) - PAGE_TAGS
    assert set(facts["attributes"]) <= PAGE_ATTRIBUTES, set(facts["attributes"]) - PAGE_ATTRIBUTES
    assert facts["scripts"] == 2 and facts["frames"] == 0


def test_the_data_block_cannot_be_closed_early() -> None:
    value = {"a</script>": "</SCRIPT><!-- \u2028\u2029 & <b>", "n": [1, 2.5, None, True]}
    block = json_block(value)
    assert b"<" not in block and b">" not in block and b"&" not in block
    assert "\u2028".encode() not in block and "\u2029".encode() not in block
    assert orjson.loads(block) == value


def test_a_long_run_is_compact_and_drawn_lazily(app_recordings, tmp_path: Path) -> None:
    recording = app_recordings.many(3000)
    page_file = bundle(recording, tmp_path / "many.html")
    with browser(tmp_path / "profile") as context:
        page = open_page(context, page_file)
        assert page.locator("#frames .row").count() < 100  # rows exist only where the list is in view
        page.keyboard.press("End")
        shown(page, 0, 2999)
        assert page.inner_text("#frame-title") == "#2999 ● node  node_3"
        assert page.inner_text("#frames .row.selected").startswith("#2999")
        assert "i: 2999" in page.inner_text("#state")
        page.keyboard.press("PageUp")
        page.wait_for_function("() => document.body.dataset.shown !== '0:2999'")
        assert page.errors == []
    data = orjson.loads(page_file.read_text().split('id="vcr-data">', 1)[1].split("</script>", 1)[0].encode())
    assert len(data["runs"][0]["chunks"]) == -(-3000 // CHUNK_FRAMES)


def test_building_a_bundle_needs_no_textual(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from vcr_tui.bundle import build_bundle;"
        f"build_bundle(Path({str(SAMPLE)!r}), Path({str(tmp_path / 'x.html')!r}));"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
    assert (tmp_path / "x.html").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["missing.vcr", "-o", "x.html"], ["no such file"]),
        ([".", "-o", "x.html"], ["is a folder", "--with-forks"]),
        (["run.vcr", "-o", "run.vcr"], ["-o:", "never overwritten"]),
        (["run.vcr", "-o", "nowhere/x.html"], ["-o:", "no such folder"]),
        (["run.vcr", "-o", "."], ["-o:", "is a folder"]),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], words: list[str]) -> None:
    (tmp_path / "run.vcr").write_bytes(SAMPLE.read_bytes())
    assert_one_line_failure(run_cli("bundle", *args, cwd=tmp_path), *words)
    assert (tmp_path / "run.vcr").read_bytes() == SAMPLE.read_bytes()
    assert not (tmp_path / "x.html").exists()


def test_frames_built_in_parallel_are_the_same_page(app_recordings, tmp_path: Path, monkeypatch) -> None:
    from vcr_tui.bundle import build_bundle, payload

    total = payload.PARALLEL_FROM + 100
    recording = app_recordings.many(total, errors_every=9)
    done: list[int] = []
    parallel = build_bundle(recording, tmp_path / "parallel.html", on_frames=done.append)
    assert sum(done) == total and len(done) > 1
    monkeypatch.setattr(payload, "PARALLEL_FROM", 10**9)
    build_bundle(recording, tmp_path / "one.html")
    assert (tmp_path / "parallel.html").read_bytes() == (tmp_path / "one.html").read_bytes()
    assert parallel.frames == total
