"""The playground in a real browser: headless Chromium driven by Selenium (Debian's chromium and
chromium-driver; nothing is downloaded). Screenshots go to a temporary folder, or to the folder
named by $WRIGHT_PLAYGROUND_SCREENSHOTS (docs/ for the README's pictures, made with the full
models)."""

import shutil

import numpy as np
import pytest

import wright
from wright import nn
from wright.demos.four_pixel import lecture_shaped_network

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver"
)


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    yield driver
    driver.quit()


def wait(browser, condition, timeout=20, what="the page"):
    try:
        return WebDriverWait(browser, timeout, poll_frequency=0.1).until(condition)
    except TimeoutException:
        pytest.fail(f"timed out after {timeout} s waiting for {what}")


def text_of(browser, element_id):
    return browser.find_element(By.ID, element_id).text


def open_page(browser, server, path):
    browser.get(server.url + path)
    if path:
        wait(browser, lambda b: text_of(b, "status") == "connected to wright", what="a connection")


def console_errors(browser):
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(browser, shots, name, height=1000):
    browser.set_window_size(1400, height)
    browser.save_screenshot(str(shots / f"playground-{name}.png"))
    browser.set_window_size(1400, 1000)


@pytest.mark.parametrize("path", ["", "boundaries", "digits", "backprop"])
def test_each_page_loads_without_console_errors(browser, server, path):
    open_page(browser, server, path)
    if path == "boundaries":
        wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, "canvas.neuron")) == 9)
    if path == "backprop":
        wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".node"))
    browser.get("about:blank")  # leaving the page must not log errors either
    assert console_errors(browser) == []


def test_xor_test_accuracy_rises_above_95_percent(browser, server, shots):
    open_page(browser, server, "boundaries")
    wait(browser, lambda b: b.find_element(By.ID, "dataset").get_attribute("value") == "xor")
    wait(browser, lambda b: text_of(b, "epoch") == "0", what="the first picture")
    browser.find_element(By.ID, "play").click()

    def accuracy(b):
        shown = text_of(b, "test-accuracy").rstrip("%")
        return shown.replace(".", "").isdigit() and float(shown) > 95

    wait(browser, accuracy, timeout=30, what="test accuracy above 95%")
    browser.find_element(By.ID, "play").click()  # pause
    wait(browser, lambda b: "play" in text_of(b, "play"), what="the pause")
    screenshot(browser, shots, "boundaries")
    assert console_errors(browser) == []


def test_server_messages_show_on_the_page(browser, server):
    open_page(browser, server, "boundaries")
    field = browser.find_element(By.ID, "lr")
    field.clear()
    field.send_keys("50\n")
    browser.find_element(By.ID, "batch_size").click()  # moving away fires the change
    wait(browser, lambda b: b.find_element(By.ID, "message").is_displayed(), what="a message")
    assert text_of(browser, "message") == "lr: expected 1e-05 to 10, got 50"


def test_a_drawn_one_is_answered_one(browser, server, shots):
    open_page(browser, server, "digits")
    wait(
        browser,
        lambda b: "784-16-16-10: ready" in text_of(b, "models-status"),
        timeout=120,
        what="the 784-16-16-10 network",
    )
    if server.full:  # the README's picture shows both networks answering
        wait(browser, lambda b: "CNN: ready" in text_of(b, "models-status"), timeout=600)
    pad = browser.find_element(By.ID, "pad")
    stroke = ActionChains(browser).move_to_element_with_offset(pad, 4, -95).click_and_hold()
    for _ in range(10):  # a slightly slanted stroke from top to bottom, in small pointer moves
        stroke = stroke.move_by_offset(-1, 19)
    stroke.release().perform()
    wait(browser, lambda b: text_of(b, "mlp-answer") == "1", timeout=10, what="the answer 1")
    screenshot(browser, shots, "digits")
    browser.find_element(By.ID, "nudge-mlp").click()
    wait(browser, lambda b: "Nudged" in text_of(b, "seen-note"), timeout=30, what="a nudge")
    assert text_of(browser, "mlp-answer") != "1"
    browser.find_element(By.ID, "noise").click()
    wait(browser, lambda b: "random noise" in text_of(b, "seen-note"), what="noise")
    assert console_errors(browser) == []


def _shown(browser):
    """Every number on the backprop page that carries its exact value: {key: (exact, text)}."""
    found = browser.execute_script(
        "return [...document.querySelectorAll('[data-key][data-exact]')]"
        ".map((e) => [e.dataset.key, e.dataset.exact, e.textContent]);"
    )
    return {key: (float(exact), text) for key, exact, text in found if exact != ""}


def test_backprop_numbers_equal_wrights_gradients(browser, server, shots):
    open_page(browser, server, "backprop")
    wait(browser, lambda b: "press forward" in text_of(b, "phase"))
    browser.find_element(By.ID, "forward").click()
    wait(browser, lambda b: "press backward" in text_of(b, "phase"))
    browser.find_element(By.ID, "backward").click()
    wait(browser, lambda b: "press update" in text_of(b, "phase"))
    shown = _shown(browser)
    for exact, text in shown.values():
        assert text == f"{exact:.4f}"

    # The same network in this process, from the weights and input the page shows.
    model = lecture_shaped_network()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for l, linear in enumerate(linears):
        rows, cols = linear.weight.shape
        linear.bias.array[:] = [shown[f"L{l}.bias.{j}"][0] for j in range(rows)]
        linear.weight.array[:] = [
            [shown[f"L{l}.weight.{j}.{i}"][0] for i in range(cols)] for j in range(rows)
        ]
    value = wright.tensor([[shown[f"input.{i}"][0] for i in range(4)]])
    sums, values = [], []
    for module in model:
        value = module(value)
        value.retain_grad()
        (sums if isinstance(module, nn.Linear) else values).append(value)
    values.append(sums[-1])  # the output nodes' values are their sums
    target = wright.tensor([[shown[f"target.{k}"][0] for k in range(4)]])
    error = nn.MSELoss(reduction="sum")(value, target)
    error.backward()

    assert shown["error"][0] == error.item()
    for l, (z, a, linear) in enumerate(zip(sums, values, linears)):
        for j in range(z.shape[1]):
            assert shown[f"L{l}.sum.{j}"][0] == float(z.array[0, j])
            assert shown[f"L{l}.value.{j}"][0] == float(a.array[0, j])
            if l < len(linears) - 1:  # an output node shows dE/dy, which is its dE/dz
                assert shown[f"L{l}.sum_grad.{j}"][0] == float(z.grad.array[0, j])
            assert shown[f"L{l}.value_grad.{j}"][0] == float(a.grad.array[0, j])
            assert shown[f"L{l}.bias_grad.{j}"][0] == float(linear.bias.grad.array[j])
            for i in range(linear.weight.shape[1]):
                assert shown[f"L{l}.weight_grad.{j}.{i}"][0] == float(
                    linear.weight.grad.array[j, i]
                )
    screenshot(browser, shots, "backprop", height=1400)

    browser.find_element(By.ID, "update").click()
    wait(browser, lambda b: "weights updated (1 so far)" in text_of(b, "phase"))
    after = _shown(browser)
    for l, linear in enumerate(linears):
        new = np.float32(after[f"L{l}.weight.0.0"][0])
        step = np.float32(0.1) * linear.weight.grad.array[0, 0]
        assert new == linear.weight.array[0, 0] - step
    assert console_errors(browser) == []
