"""Drive a headless Chromium over its DevTools pipe (no network, no extra package): open a page,
evaluate JavaScript in it, take a screenshot. Used by the report's browser tests and measurements."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

#: Flags for a quiet, offline headless browser.
BROWSER_FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
)


class BrowserError(RuntimeError):
    """The browser could not be started or did not answer."""


def find_browser() -> str | None:
    """The path of a Chromium-like browser on PATH (chromium, chromium-browser, google-chrome), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


class Page:
    """One headless browser tab, driven over the DevTools pipe (fd 3 in, fd 4 out)."""

    def __init__(self, browser: str, profile: Path, *, width: int = 1280, height: int = 2000, timeout: float = 30.0) -> None:
        """Start `browser` with a fresh `profile` folder and attach to its first tab."""
        self.timeout = timeout
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the browser reads commands on fd 3 and writes answers on fd 4
        def _fds() -> None:
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        try:
            self._proc = subprocess.Popen(
                [browser, *BROWSER_FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}",
                 "--remote-debugging-pipe", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                preexec_fn=_fds, pass_fds=(3, 4),  # dup2-ed there by _fds before the others close
            )
        except OSError as exc:
            raise BrowserError(str(exc)) from exc
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id, self._buffer, self._session = 0, b"", None
        targets = self._call("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        target = page["targetId"] if page else self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._call("Page.enable")

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if self._session and not method.startswith("Target."):
            msg["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise BrowserError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise BrowserError(f"{method}: no answer from the browser")
            import select

            ready, _, _ = select.select([self._from_browser], [], [], 0.5)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError(f"{method}: the browser closed its pipe")
                self._buffer += chunk

    def open(self, url: str, *, ready: str = "document.readyState === 'complete'") -> float:
        """Navigate to `url`, wait until `ready` is true; returns the page's load time (navigation start to load end), s."""
        self._call("Page.navigate", url=url)
        deadline = time.monotonic() + self.timeout
        while not self.eval(f"!!({ready}) && location.href !== 'about:blank'"):
            if time.monotonic() > deadline:
                raise BrowserError(f"{url}: not ready within {self.timeout} s")
            time.sleep(0.05)
        return float(self.eval("performance.getEntriesByType('navigation')[0].loadEventEnd") or 0.0) / 1000

    def eval(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression evaluated in the page."""
        result = self._call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r}: {result['exceptionDetails'].get('text')} {result['exceptionDetails'].get('exception', {}).get('description', '')}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        """Write a PNG of the viewport (or the whole page) to `path`."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            h = self.eval("document.documentElement.scrollHeight")
            params["clip"] = {"x": 0, "y": 0, "width": self.eval("document.documentElement.scrollWidth"), "height": h, "scale": 1}
        path.write_bytes(base64.b64decode(self._call("Page.captureScreenshot", **params)["data"]))
        return path

    def close(self) -> None:
        """Stop the browser."""
        try:
            self._call("Browser.close")
        except BrowserError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def measure(page: Path, *, screenshot: Path | None = None, runs: int = 3) -> tuple[int, float]:
    """(size in bytes, median load time in s) of an HTML page opened from disk in a headless Chromium."""
    import statistics
    import tempfile

    browser = find_browser()
    if browser is None:
        raise BrowserError("chromium not installed")
    times = []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as profile, Page(browser, Path(profile)) as tab:
            times.append(tab.open(page.resolve().as_uri(), ready="document.body && document.body.getAttribute('data-ready') === '1'"))
            if screenshot is not None and i == 0:
                tab.screenshot(screenshot)
    return page.stat().st_size, statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.browser PAGE [--screenshot PNG]`: print a page's size and load time."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args(argv)
    size, seconds = measure(args.page, screenshot=args.screenshot)
    print(f"{args.page}: {size / 1e6:.2f} MB, load {seconds:.2f} s (median of 3, headless Chromium)")


if __name__ == "__main__":
    main()
