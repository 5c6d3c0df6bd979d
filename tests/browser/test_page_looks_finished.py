"""Every step looks finished at a desktop width (1280 px) and a phone width (390 px).

What a person noticed and what this checks on each step of the demo app:
drop-downs one line tall (not boxes about 100 px tall and mostly empty), the
upload button without a raw "(0)" counter, the name box wide enough for its
hint, nothing wider than the page, and no message left from an earlier step.
A screenshot of each step at each width goes to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import time

import pytest
from browser_harness import snapshot, wait_for_widgets
from playwright.sync_api import expect

from nextround.steps import STEPS

TIMEOUT_MS = 30_000
WIDTHS = (1280, 390)
#: A one-line control is about 28 px tall; anything much taller is a stretched box.
MAX_CONTROL_HEIGHT = 40

MEASURE = """() => {
  const app = document.querySelector('.nextround-app');
  // The page's edge, or sooner the edge of the cell box that clips what pokes out.
  const clip = app.closest('.jp-OutputArea-child');
  const width = Math.min(document.documentElement.clientWidth,
                         clip ? clip.getBoundingClientRect().right : Infinity);
  const visible = e => e.getClientRects().length > 0;
  const tall = Array.from(app.querySelectorAll('select:not([multiple])')).filter(visible)
    .map(e => [e.closest('.widget-inline-hbox')?.querySelector('label')?.textContent || '?',
               Math.round(e.getBoundingClientRect().height)]);
  const wide = Array.from(app.querySelectorAll('*')).filter(visible)
    .filter(e => !e.closest('.widget-output'))  // a chart scrolls in its own box
    .filter(e => e.getBoundingClientRect().right > width + 2)  // sub-pixel text overhang
    .map(e => e.tagName + '.' + String(e.className.baseVal ?? e.className).slice(0, 60) +
         ' (' + (e.closest('.widget-inline-hbox, .widget-vbox')?.querySelector('label')
                  ?.textContent || '?') +
         ', right edge ' + Math.round(e.getBoundingClientRect().right) + ' of ' +
         Math.round(width) + ' px)');
  const name = app.querySelector('input[placeholder="First name is enough"]');
  const canvas = document.createElement('canvas').getContext('2d');
  const style = getComputedStyle(name);
  canvas.font = style.font;
  const hint = canvas.measureText(name.placeholder).width;
  const room = name.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const upload = Array.from(app.querySelectorAll('.nr-upload')).map(e => e.textContent.trim());
  return {selects: tall, wide: wide.slice(0, 5), hint: hint, room: room, upload: upload,
          scroll: document.documentElement.scrollWidth,
          width: document.documentElement.clientWidth};
}"""


def open_step(page, number: int, title: str) -> None:
    """Open a step and wait until all of it is drawn (its status line comes last)."""
    page.get_by_role("button", name=re.compile(rf"^{number}\. ")).click()
    expect(page.locator(".nr-step-title")).to_have_text(title, timeout=TIMEOUT_MS)
    expect(page.locator(".nr-main .nextround-step > .nr-status")).to_be_attached(
        timeout=TIMEOUT_MS)
    expect(page.locator(".nr-main .jupyter-button").last).to_be_visible(timeout=TIMEOUT_MS)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r)))")


def settled_measure(page, *, within: float = 10.0) -> dict:
    """MEASURE once the layout has settled.

    On a busy machine widgets are drawn a few at a time, and a box can be
    measured before its width rules apply. So measure until two readings a
    moment apart agree and nothing pokes out, or until ``within`` seconds have
    passed: a real overflow stays, and is reported.
    """
    deadline = time.monotonic() + within
    last = None
    while True:
        seen = page.evaluate(MEASURE)
        if (seen == last and not seen["wide"]) or time.monotonic() > deadline:
            return seen
        last = seen
        page.wait_for_timeout(250)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_step_looks_finished(page, app_server, width):
    """The demo app, loaded at this width (as a phone would load it, not resized)."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(app_server.url)
    wait_for_widgets(page)
    problems = []
    for number, step in enumerate(STEPS, start=1):
        open_step(page, number, step.title)
        seen = settled_measure(page)
        where = f"step {number} at {width} px"
        problems += [f"{where}: the drop-down “{label}” is {height} px tall"
                     for label, height in seen["selects"] if height > MAX_CONTROL_HEIGHT]
        problems += [f"{where}: wider than the page: {element}" for element in seen["wide"]]
        if seen["scroll"] > seen["width"]:
            problems.append(f"{where}: the page scrolls sideways ({seen['scroll']} px)")
        if seen["hint"] > seen["room"]:
            problems.append(f"{where}: the name box cuts its hint short "
                            f"({seen['hint']:.0f} px of text in {seen['room']:.0f} px)")
        problems += [f"{where}: the upload button says “{text}”" for text in seen["upload"]
                     if re.search(r"\(\d+\)", text)]
        assert seen["upload"] == ["Upload a workbook file"], seen["upload"]
        snapshot(page, f"finished-step-{number}-{width}")
    assert not problems, "\n".join(problems)
