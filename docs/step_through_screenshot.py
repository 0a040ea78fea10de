"""Remake docs/step_through_fig33.png: the Figure 3.3 player at its middle step, in headless Chromium.

    python docs/step_through_screenshot.py        (needs Graphviz's dot, selenium, chromium and chromedriver)
"""
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import autograd_core as ag
from autograd_core.examples import figure_3_3

HERE = Path(__file__).resolve().parent


def main():
    w, o = figure_3_3(0.7)
    middle = len(ag.trace_backward(o)) // 2
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "fig33.html"
        ag.viz.step_through(o, page, title="Figure 3.3: o = sin(w^2) + cos(w^2), backpropagation step by step")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=900,470",
                         "--hide-scrollbars"):
            options.add_argument(argument)
        browser = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
        try:
            browser.get(f"{page.as_uri()}#step={middle}")
            browser.find_element("css selector", ".agst[data-step]")
            browser.save_screenshot(str(HERE / "step_through_fig33.png"))
        finally:
            browser.quit()
    print("wrote", HERE / "step_through_fig33.png")


if __name__ == "__main__":
    main()
