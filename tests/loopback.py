"""A throw-away HTTP server on 127.0.0.1 for the download tests (the suite blocks every other address)."""

import contextlib
import functools
import http.server
import threading


@contextlib.contextmanager
def serve(root, poll_interval: float = 0.05):
    """Serve the folder ``root``; yields the base URL and the list of paths requested so far."""
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
