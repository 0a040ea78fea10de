"""The step-through player in a real browser (headless Chromium driven by Selenium), checked against trace_backward.

Skipped, with the reason, only where no Chromium and chromedriver can be found
(CI installs them: see the Makefile's test target) or Graphviz's dot is missing.
"""
import json
import re
import shutil
import urllib.parse

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.examples import figure_3_3, figure_3_4, mlp, scalar_mlp
from autograd_core.trace import summarise
from autograd_core.viz import dot_available, node_names

webdriver = pytest.importorskip("selenium.webdriver", reason="the browser tests need selenium (the dev extra)")
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.skipif(BROWSER is None or DRIVER is None,
                       reason="no Chromium and chromedriver found (apt-get install chromium chromium-driver)"),
    pytest.mark.skipif(not dot_available(), reason="the player is drawn by Graphviz's dot, which is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1000,700", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    yield driver
    driver.quit()


def open_page(browser, path, fragment=""):
    browser.get(path.as_uri() + fragment)
    browser.find_element("css selector", ".agst[data-step]")  # the script has run and shown a step
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def press(browser, key, times=1):
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(browser)
    for _ in range(times):
        actions.send_keys(key)
    actions.perform()


def shown_step(browser):
    return int(browser.find_element("css selector", ".agst").get_attribute("data-step"))


def css(browser, selector):
    return browser.find_elements("css selector", selector)


def node_classes(browser):
    """The DOT name of each drawn node and the status classes the player gave it."""
    return browser.execute_script(
        "var found = {}; document.querySelectorAll('.agst g.node').forEach(function (g) {"
        " found[g.querySelector('title').textContent] = g.getAttribute('class'); }); return found;")


GRAPHS = {
    "fig3.3": lambda: figure_3_3(0.7)[1],
    "fig3.4 depth 3": lambda: figure_3_4(depth=3, width=2)[1],
    "scalar mlp": lambda: scalar_mlp(depth=2, width=2)[1],
}


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_arrow_keys_reach_a_step_that_shows_what_trace_backward_computed(browser, tmp_path, graph):
    output = GRAPHS[graph]()
    trace = ag.trace_backward(output)
    page = ag.viz.step_through(output, tmp_path / "player.html").path
    open_page(browser, tmp_path / "player.html")
    assert page.endswith("player.html") and shown_step(browser) == 0
    target = len(trace) // 2 + 1
    press(browser, "\ue014", target)  # the right arrow key
    assert shown_step(browser) == target
    assert urllib.parse.urlparse(browser.current_url).fragment == f"step={target}"
    step = trace[target]
    assert css(browser, ".agst-node")[0].text == step.name
    shown = css(browser, ".agst-contribution")
    assert len(shown) == len(step.contributions) >= 1
    for item, term in zip(shown, step.contributions):
        assert item.get_attribute("data-consumer") == trace.symbol(term.consumer)
        assert float(item.get_attribute("data-product")) == float(term.product)
        assert item.get_attribute("data-local") == summarise(term.local)
        assert item.text.startswith(f"from {trace.symbol(term.consumer)} ({term.operation.name}): ")
        assert item.text.endswith(f"{summarise(term.grad_output)} × {summarise(term.local)} = "
                                  f"{summarise(term.product)}")
    total = css(browser, ".agst-sum")[0]
    assert float(total.get_attribute("data-value")) == float(step.grad)
    assert total.text.endswith(f"= {summarise(step.grad)}")
    classes = node_classes(browser)
    name = node_names(output)
    assert "agst-current" in classes[name(step.node)]
    for earlier in trace[:target]:
        assert "agst-done" in classes[name(earlier.node)] or "agst-consumer" in classes[name(earlier.node)]
    for later in trace[target + 1:]:
        assert "agst-remaining" in classes[name(later.node)]
    press(browser, "\ue012")  # the left arrow key
    assert shown_step(browser) == target - 1 and css(browser, ".agst-node")[0].text == trace[target - 1].name


def test_the_last_step_shows_every_leafs_gradient_as_backward_computes_it(browser, tmp_path):
    weights, output, _ = scalar_mlp(depth=2, width=2)
    ag.viz.step_through(output, tmp_path / "mlp.html")
    output.backward()
    open_page(browser, tmp_path / "mlp.html")
    press(browser, "\ue010")  # End
    rows = css(browser, "tr.agst-leaf")
    shown = {row.get_attribute("data-name"): float(row.get_attribute("data-value")) for row in rows}
    assert shown == {weight.name: weight.grad.item() for weight in weights}
    assert css(browser, ".agst-gradients caption")[0].text == "Every leaf's gradient"


def test_the_url_fragment_opens_a_step_and_the_buttons_keep_it(browser, tmp_path):
    w, o = figure_3_3(0.7)
    trace = ag.trace_backward(o)
    ag.viz.step_through(o, tmp_path / "fig33.html")
    open_page(browser, tmp_path / "fig33.html", "#step=3")
    assert shown_step(browser) == 3 and css(browser, ".agst-node")[0].text == trace[3].name
    css(browser, ".agst-next")[0].click()
    assert shown_step(browser) == 4 and browser.current_url.endswith("#step=4")
    css(browser, ".agst-first")[0].click()
    assert shown_step(browser) == 0 and css(browser, ".agst-node")[0].text == "o"
    open_page(browser, tmp_path / "fig33.html", "#step=99")  # out of range: the last step
    assert shown_step(browser) == len(trace) - 1


def test_paths_mode_ends_with_the_dynamic_programmes_gradient(browser, tmp_path):
    w, o = figure_3_4(depth=3, width=2)
    dp = ag.grad(o, w, retain_graph=True).item()
    trace = ag.trace_backward(o, mode="paths")
    ag.viz.step_through(o, tmp_path / "paths.html", mode="paths")
    open_page(browser, tmp_path / "paths.html")
    press(browser, "\ue014", 2)
    assert shown_step(browser) == 2
    assert css(browser, ".agst-route")[0].text == " → ".join(trace.symbol(t) for t in trace[2].path)
    assert float(css(browser, ".agst-running")[0].get_attribute("data-value")) == float(trace[2].running_sum)
    lit = browser.execute_script("return Array.prototype.map.call(document.querySelectorAll('.agst g.edge.agst-lit'),"
                                 " function (g) { return g.querySelector('title').textContent; });")
    assert len(lit) == 2 * (len(trace[2].path) - 1)
    press(browser, "\ue010")
    assert shown_step(browser) == len(trace) - 1 == 7
    final = float(css(browser, ".agst-running")[0].get_attribute("data-value"))
    assert final == pytest.approx(dp, rel=1e-13)
    check = css(browser, ".agst-check")[0]
    assert "agst-agrees" in check.get_attribute("class") and "sum over 8 paths" in check.text
    (row,) = css(browser, "tr.agst-leaf")
    assert float(row.get_attribute("data-value")) == pytest.approx(dp, rel=1e-13)


def test_a_tensor_graph_shows_summaries(browser, tmp_path):
    parameters, loss, _ = mlp(depth=2, width=3)
    trace = ag.trace_backward(loss)
    ag.viz.step_through(loss, tmp_path / "tensor.html")
    open_page(browser, tmp_path / "tensor.html")
    target = next(step.number for step in trace if step.node is parameters[2])  # W2, a 3x3 matrix
    press(browser, "\ue014", target)
    assert css(browser, ".agst-node")[0].text == "W2"
    assert css(browser, ".agst-sum")[0].text == f"∂L/∂W2 = {summarise(trace[target].grad)}"
    assert "[3x3, norm " in css(browser, ".agst-sum")[0].text


def test_a_screenshot_of_a_middle_step_is_not_blank(browser, tmp_path):
    image = pytest.importorskip("matplotlib.image", reason="reading the screenshot needs matplotlib")
    w, o = figure_3_3(0.7)
    ag.viz.step_through(o, tmp_path / "fig33.html", title="Figure 3.3: o = sin(w^2) + cos(w^2)")
    open_page(browser, tmp_path / "fig33.html", "#step=2")
    screenshot = tmp_path / "fig33_step2.png"
    assert browser.save_screenshot(str(screenshot))
    pixels = image.imread(screenshot)[..., :3]
    not_white = np.any(pixels < 0.95, axis=-1)
    assert not_white.mean() > 0.03
    red = (pixels[..., 0] > 0.75) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)  # the current node's outline
    green = (pixels[..., 1] > 0.85) & (pixels[..., 0] < 0.85) & (pixels[..., 2] < 0.8)  # finished nodes
    assert red.sum() > 100 and green.sum() > 100


def test_the_page_makes_no_network_request(browser, tmp_path):
    w, o = figure_3_3(0.7)
    page = tmp_path / "offline.html"
    ag.viz.step_through(o, page)
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"https?:", text) and not re.search(r"\b(src|href)\s*=", text)
    browser.get_log("performance")  # forget what earlier pages did
    open_page(browser, page)
    press(browser, "\ue014", 3)
    press(browser, " ")  # play for a moment
    browser.execute_script("return 0")
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    requested = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.add(message["params"]["request"]["url"].split("#")[0])
    assert requested == {page.as_uri()}


def test_names_are_shown_as_text_never_run_as_markup(browser, tmp_path):
    w = ag.Tensor(0.5, requires_grad=True, name="</script><script>document.title='owned'</script><b>w")
    o = (w * w).sin()
    o.name = "<img src=x onerror=\"document.title='owned'\">"
    ag.viz.step_through(o, tmp_path / "names.html", title="<i>names</i>")
    open_page(browser, tmp_path / "names.html")
    press(browser, "\ue010")
    assert browser.title == "<i>names</i>"
    assert css(browser, ".agst-node")[0].text == w.name
    assert not css(browser, ".agst-panel b:not(.agst-node)") and not css(browser, ".agst-panel img")


def test_inline_players_as_a_notebook_shows_them_work_apart_and_leave_the_address_alone(browser, tmp_path):
    w, o = figure_3_3(0.7)
    first, second = ag.viz.step_through(o), ag.viz.step_through(o, mode="paths")
    page = tmp_path / "notebook_like.html"
    page.write_text(f"<!DOCTYPE html><html><body>{first._repr_html_()}<p>between</p>{second._repr_html_()}"
                    "</body></html>", encoding="utf-8")
    open_page(browser, page)
    players = css(browser, ".agst")
    assert len(players) == 2 and all(player.get_attribute("data-step") == "0" for player in players)
    players[1].click()  # focus: inside a notebook a player takes the keys only while it has the focus
    press(browser, "\ue010")
    assert players[0].get_attribute("data-step") == "0" and players[1].get_attribute("data-step") == "1"
    players[0].find_element("css selector", ".agst-next").click()
    assert players[0].get_attribute("data-step") == "1" and players[1].get_attribute("data-step") == "1"
    assert urllib.parse.urlparse(browser.current_url).fragment == ""
