"""A real HTTP server on 127.0.0.1 serving a fake health site, for the crawler tests.

uvicorn + starlette run in a thread for the whole module; each test gets the site reset
(request log, per-path counters, article texts). Every request is logged with its
conditional headers and the status it got, so tests assert what the crawler really did
on the wire.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from factcheck.settings import Settings

LAST_MODIFIED = "Wed, 04 Nov 2026 10:00:00 GMT"

ARTICLES = {
    "ketamine-depression": ("Ketamine for treatment-resistant depression",
                            "Ketamine works primarily as an NMDA receptor antagonist. A single "
                            "infusion reduced depressive symptoms within 24 hours in trials."),
    "migraine-triptans": ("Triptans and migraine",
                          "Triptans relieve migraine pain within two hours in most patients."),
    "vitamin-d": ("Vitamin D and bones",
                  "Vitamin D supplements reduce fracture risk in older adults."),
    "fibromyalgia-exercise": ("Exercise for fibromyalgia",
                              "Aerobic exercise improves pain in fibromyalgia."),
    "cystitis": ("Interstitial cystitis",
                 "Ketamine use can cause ulcerative cystitis."),
}
FEED_SLUGS = ["ketamine-depression", "migraine-triptans", "vitamin-d"]
SITEMAP_SLUGS = ["vitamin-d", "fibromyalgia-exercise", "alias"]
MANY = 24  # pages of the slow sitemap used by the crash test


def article_html(title: str, body: str, canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{link}"
            f"</head><body><nav>Home | Blog</nav><article><h1>{title}</h1><p>{body}</p>"
            f"</article><footer>Contact us today to schedule a consultation</footer>"
            f"</body></html>")


@dataclass
class Hit:
    method: str
    path: str
    query: str
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None
    status: int = 0
    at: float = field(default_factory=time.monotonic)


class FakeSite:
    """State of the fake site: what it serves and every request it received."""

    def __init__(self) -> None:
        self.base = ""
        self.reset()

    def reset(self) -> None:
        self.log: list[Hit] = []
        self.counters: dict[str, int] = defaultdict(int)
        self.articles = {slug: article_html(title, body, f"{self.base}/articles/{slug}")
                         for slug, (title, body) in ARTICLES.items()}
        # A second URL for the ketamine article whose canonical link names the first.
        title, body = ARTICLES["ketamine-depression"]
        self.articles["alias"] = article_html(
            title + " (print view)", body, f"{self.base}/articles/ketamine-depression")
        self.many_delay = 0.05
        self.robots_txt = "User-agent: *\nDisallow: /private/\n"
        self.robots_status = 200
        self.lastmod = "2021-06-01"  # <lastmod> of the gzipped article sitemap
        self.in_flight = 0          # /many/ requests being answered right now
        self.max_in_flight = 0

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def hits(self, prefix: str = "/", status: int | None = None) -> list[Hit]:
        return [h for h in self.log if h.path.startswith(prefix)
                and (status is None or h.status == status)]

    def paths(self, prefix: str = "/", status: int | None = None) -> list[str]:
        return [h.path for h in self.hits(prefix, status)]


def _etag(text: str) -> str:
    return '"' + hashlib.sha1(text.encode()).hexdigest()[:16] + '"'


def _conditional(request: Request, body: str, media: str) -> Response:
    etag = _etag(body)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=media,
                    headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})


def _rss(site: FakeSite) -> str:
    items = "".join(
        f"<item><title>{slug}</title><link>{site.url('/articles/' + slug)}"
        f"{'?utm_source=rss&amp;utm_medium=feed' if slug == 'migraine-triptans' else ''}</link>"
        f"</item>" for slug in FEED_SLUGS)
    items += (f"<item><title>members</title><link>{site.url('/private/members-only')}</link>"
              f"</item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Fake Health News</title><link>{site.base}/</link>{items}</channel></rss>")


def _urlset(urls: list[str], lastmod: str = "2021-06-01") -> str:
    entries = "".join(f"<url><loc>{u}</loc><lastmod>{lastmod}</lastmod></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>')


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>/articles/vitamin-d</link></item></channel></rss>
"""


def build_app(site: FakeSite):
    async def robots(request: Request) -> Response:
        return PlainTextResponse(site.robots_txt, status_code=site.robots_status)

    async def feed(request: Request) -> Response:
        return _conditional(request, _rss(site), "application/rss+xml")

    async def sitemap_index(request: Request) -> Response:
        body = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{site.url('/sitemaps/articles.xml.gz')}</loc></sitemap>"
                f"<sitemap><loc>{site.url('/sitemaps/pages.xml')}</loc></sitemap>"
                "</sitemapindex>")
        return _conditional(request, body, "application/xml")

    async def sitemap_articles(request: Request) -> Response:
        xml = _urlset([site.url(f"/articles/{s}") for s in SITEMAP_SLUGS], site.lastmod)
        etag = _etag(xml)
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(gzip.compress(xml.encode(), mtime=0), media_type="application/x-gzip",
                        headers={"ETag": etag})

    async def sitemap_pages(request: Request) -> Response:
        return _conditional(request, _urlset([site.url("/tag/health"),
                                              site.url("/articles/cystitis")]),
                            "application/xml")

    async def article(request: Request) -> Response:
        slug = request.path_params["slug"]
        if slug not in site.articles:
            return PlainTextResponse("not found", status_code=404)
        return _conditional(request, site.articles[slug], "text/html; charset=utf-8")

    async def tag(request: Request) -> Response:
        return _conditional(request, article_html("Tag: health", "A list of posts."),
                            "text/html")

    async def private(request: Request) -> Response:
        return _conditional(request, article_html("Members", "Secret."), "text/html")

    async def latin1(request: Request) -> Response:
        text = article_html("Café santé", "Le café réduit la fatigue selon une étude.")
        return Response(text.replace("<meta charset='utf-8'>", "").encode("iso-8859-1"),
                        headers={"Content-Type": "text/html; charset=iso-8859-1"})

    async def no_validators(request: Request) -> Response:
        return Response(site.articles["cystitis"], media_type="text/html")

    async def flaky(request: Request) -> Response:
        site.counters["flaky"] += 1
        if site.counters["flaky"] == 1:
            return PlainTextResponse("temporary failure", status_code=500)
        return _conditional(request, article_html("Flaky", "Sleep improves memory."),
                            "text/html")

    async def always_500(request: Request) -> Response:
        return PlainTextResponse("broken", status_code=500)

    async def limited(request: Request) -> Response:
        site.counters["limited"] += 1
        if site.counters["limited"] == 1:
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": "1"})
        return _conditional(request, article_html("Limited", "Walking lowers blood pressure."),
                            "text/html")

    async def slow(request: Request) -> Response:
        await asyncio.sleep(3)
        return PlainTextResponse("too late")

    async def trickle(request: Request) -> Response:
        # a body one byte at a time, never silent long enough for a read timeout
        async def drip():
            for _ in range(200):
                yield b"x"
                await asyncio.sleep(0.1)
        return StreamingResponse(drip(), media_type="text/html")

    async def loop_a(request: Request) -> Response:
        return RedirectResponse(site.url("/loop/b"), status_code=302)

    async def loop_b(request: Request) -> Response:
        return RedirectResponse(site.url("/loop/a"), status_code=302)

    async def bad_redirect(request: Request) -> Response:
        return Response(status_code=302, headers={"Location": "http://[zz]/nowhere"})

    async def to_metadata(request: Request) -> Response:
        # the cloud metadata service, in the form the query string names
        target = {"plain": "169.254.169.254", "decimal": "2852039166",
                  "mapped": "[::ffff:169.254.169.254]"}[request.query_params.get("form", "plain")]
        return Response(status_code=302, headers={"Location": f"http://{target}/latest/meta-data/"})

    async def bad_port(request: Request) -> Response:
        return Response(status_code=302, headers={"Location": "http://127.0.0.1:99999999/x"})

    async def moved(request: Request) -> Response:
        return RedirectResponse(site.url("/articles/cystitis"), status_code=301)

    async def huge(request: Request) -> Response:
        async def chunks():
            for _ in range(64):
                yield b"<p>" + b"x" * 32_768 + b"</p>"
        return StreamingResponse(chunks(), media_type="text/html")

    async def huge_declared(request: Request) -> Response:
        return Response(b"<p>" + b"y" * 2_000_000 + b"</p>", media_type="text/html")

    async def image(request: Request) -> Response:
        return Response(b"\xff\xd8\xff\xe0" + b"\x00" * 1000, media_type="image/jpeg")

    async def binary_html(request: Request) -> Response:
        return Response(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, media_type="text/html")

    async def bomb(request: Request) -> Response:
        return Response(BILLION_LAUGHS, media_type="application/rss+xml")

    async def many_sitemap(request: Request) -> Response:
        return Response(_urlset([site.url(f"/many/{i}") for i in range(MANY)]),
                        media_type="application/xml")

    async def many(request: Request) -> Response:
        site.in_flight += 1
        site.max_in_flight = max(site.max_in_flight, site.in_flight)
        try:
            await asyncio.sleep(site.many_delay)
        finally:
            site.in_flight -= 1
        i = request.path_params["i"]
        return _conditional(request, article_html(f"Page {i}", f"Fact number {i} about sleep."),
                            "text/html")

    app = Starlette(routes=[
        Route("/robots.txt", robots), Route("/feed.xml", feed),
        Route("/sitemap_index.xml", sitemap_index),
        Route("/sitemaps/articles.xml.gz", sitemap_articles),
        Route("/sitemaps/pages.xml", sitemap_pages),
        Route("/articles/{slug}", article), Route("/tag/health", tag),
        Route("/private/{rest:path}", private), Route("/latin1", latin1),
        Route("/no-etag", no_validators), Route("/flaky", flaky), Route("/always-500", always_500), Route("/limited", limited),
        Route("/slow", slow), Route("/loop/a", loop_a), Route("/loop/b", loop_b),
        Route("/moved", moved), Route("/bad-redirect", bad_redirect),
        Route("/to-metadata", to_metadata), Route("/trickle", trickle),
        Route("/bad-port", bad_port), Route("/huge", huge), Route("/huge-declared", huge_declared),
        Route("/image.jpg", image), Route("/binary.html", binary_html),
        Route("/bomb.xml", bomb), Route("/many.xml", many_sitemap), Route("/many/{i}", many),
    ])

    async def logged(scope, receive, send):
        """ASGI wrapper that logs every request and the status it was answered with."""
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        hit = Hit(scope["method"], scope["path"], scope["query_string"].decode("latin-1"),
                  headers.get("if-none-match"), headers.get("if-modified-since"),
                  headers.get("user-agent"))
        site.log.append(hit)

        async def send_and_record(message):
            if message["type"] == "http.response.start":
                hit.status = message["status"]
            await send(message)
        await app(scope, receive, send_and_record)

    return logged


@pytest.fixture(scope="module")
def _server():
    site = FakeSite()
    # IPPROTO_TCP so that asyncio sets TCP_NODELAY (no 40 ms delayed-ACK stalls).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    site.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(build_app(site), log_level="warning", lifespan="off",
                            access_log=False, timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake site did not start within 10 s")
        time.sleep(0.02)
    yield site
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def site(_server: FakeSite) -> FakeSite:
    _server.reset()
    return _server


def local_settings(**overrides) -> Settings:
    """Settings for crawling the fake site: private networks allowed (it is on 127.0.0.1),
    short timeouts and backoffs so the whole directory stays fast."""
    values = dict(allow_private_networks=True, crawl_connect_timeout=2.0,
                  crawl_read_timeout=0.5, crawl_max_retries=2, crawl_backoff=0.05,
                  crawl_max_retry_after=5.0, crawl_rate_limit=0, crawl_concurrency=4,
                  crawl_max_body_bytes=1_000_000, crawl_max_redirects=5)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings() -> Settings:
    return local_settings()


@pytest.fixture
def make_settings():
    """``make_settings(**overrides)``: :func:`local_settings` with some values changed."""
    return local_settings
