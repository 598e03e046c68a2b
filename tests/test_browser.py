"""The chat page in a real browser: Playwright driving Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from rag import RAG, Settings
from server import create_app
from tests.conftest import SEEDS
from tests.live import live_server

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # git-ignored
HOSTILE = (
    "<script>alert('headline')</script>测试医院新闻\n\n"
    "测试医院共有床位<script>document.title='pwned'</script>888张。"
    "测试医院的院长是<img src=x onerror=\"document.title='pwned'\">王小明。"
    '测试医院的网址是<a href="javascript:alert(3)">点此</a>，'
    "标志是![logo](http://evil.example/logo.png)和<img src=http://evil.example/t.gif>。\n"
)


@pytest.fixture(scope="module")
def base_url(seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over the seeds plus one hostile document."""
    base = tmp_path_factory.mktemp("browser")
    corpus = base / "corpus"
    corpus.mkdir()
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, corpus / seed.name)
    (corpus / "zz_hostile.txt").write_text(HOSTILE, "utf-8")
    shutil.copytree(seed_index_dir.resolve(), base / "gen")  # its embeddings are reused
    os.symlink("gen", base / "index")
    rag = RAG.build(corpus, base / "index")
    with live_server(create_app(Settings(index_dir=base / "index"), rag=rag)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url)
    yield page
    assert dialogs == [], "a document's script ran"
    assert all(url.startswith(base_url) for url in requests), "something loaded from outside"
    assert page.title().startswith("江门健康新闻问答")
    context.close()


def ask(page: Page, question: str) -> None:
    before = page.locator("li.turn").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    expect(page.locator("li.turn").nth(before)).to_have_attribute(
        "data-done", "true", timeout=30000
    )


def test_ask_stream_and_open_a_citation(page: Page, base_url: str) -> None:
    question = "蓬江区有多少支家庭医生团队？"
    ask(page, question)
    turn = page.locator("li.turn").last
    expect(turn.locator(".answer")).to_contain_text("116支")
    expect(turn.locator(".sources li").first).to_contain_text("构建优质高效医疗卫生服务体系")
    quote = httpx.post(f"{base_url}/api/ask", json={"question": question}).json()["citations"][0]
    turn.locator("button.marker").first.click()
    viewer = page.locator("#viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("mark")).to_have_text(quote["quote"])
    expect(page.locator("#viewer-doc")).to_have_text(quote["doc"])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-citation.png"), full_page=True)


def test_a_two_hop_answer_shows_its_bridge_first(page: Page) -> None:
    ask(page, "局长何素媛所在的那个市，2024年有几家基层医疗卫生机构通过了推荐标准考核？")
    turn = page.locator("li.turn").last
    expect(turn.locator(".answer")).to_contain_text("开平市")
    expect(turn.locator(".answer")).to_contain_text("5家")
    turn.locator("button.marker").first.click()  # [1]: the sentence that names the city
    expect(page.locator("#viewer mark")).to_contain_text("开平市")


def test_not_found_has_its_own_style(page: Page) -> None:
    ask(page, "明天江门的天气怎么样？")
    answer = page.locator("li.turn").last.locator(".answer")
    expect(answer).to_have_class("answer not-found")
    expect(answer).to_contain_text("文章中没有找到")


def test_example_question_and_follow_up(page: Page) -> None:
    page.locator(".example").first.click()
    expect(page.locator("li.turn").first).to_have_attribute("data-done", "true", timeout=30000)
    ask(page, "那江海区呢？")
    expect(page.locator("li.turn").last.locator(".answer")).not_to_have_class("answer error")


def test_document_markup_renders_as_text(page: Page) -> None:
    ask(page, "测试医院共有多少张床位？")
    turn = page.locator("li.turn").last
    answer = turn.locator(".answer")
    expect(answer).to_contain_text("<script>document.title='pwned'</script>888张")
    assert page.locator("#conversation script, #conversation img").count() == 0
    turn.locator("button.marker").first.click()
    viewer = page.locator("#viewer-text")
    expect(viewer).to_contain_text("<img src=x onerror=")
    expect(page.locator("#viewer-title")).to_have_text(
        "<script>alert('headline')</script>测试医院新闻"
    )
    assert page.locator("#viewer script, #viewer img").count() == 0
    assert page.evaluate("document.scripts.length") == 1  # only the page's own app.js


def test_links_and_images_in_documents_stay_text(page: Page) -> None:
    ask(page, "测试医院共有多少张床位？")  # the viewer then shows the whole document
    turn = page.locator("li.turn").last
    turn.locator("button.marker").first.click()
    viewer = page.locator("#viewer-text")
    expect(viewer).to_contain_text('<a href="javascript:alert(3)">点此</a>')
    expect(viewer).to_contain_text("![logo](http://evil.example/logo.png)")
    assert page.locator("a[href^='javascript:'], img, iframe, object, embed").count() == 0


def test_phone_sized_screen(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(base_url)
    ask(page, "棠下镇卫生院住院大楼什么时候投入使用？")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing overflows sideways"
    expect(page.locator("#send")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-phone.png"), full_page=True)
    context.close()
