"""Scrapy settings for the report crawler: polite by default (robots.txt, AutoThrottle,
at most two requests at a time per host, retries with backoff), identified by a User-Agent
that names the project and a contact URL. A registry file may relax the delays for
loopback test sites (see ``crawler.registry.TUNABLE_SETTINGS``)."""

import os
from importlib.metadata import PackageNotFoundError, version

try:
    _version = version("zfxxgk-archive")
except PackageNotFoundError:  # running from a source tree that is not installed
    _version = "0"

BOT_NAME = "zfxxgk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

CONTACT_URL = os.environ.get("ZFXXGK_CONTACT_URL", "https://github.com/zfxxgk-archive/zfxxgk-archive")
USER_AGENT = f"zfxxgk-archive/{_version} (政府信息公开年报档案; +{CONTACT_URL})"

# With any other reactor every request fails while the process still exits 0.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REMOTE_CONTROL_ENABLED = False  # would execute code sent to it
TELNETCONSOLE_ENABLED = False

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 5.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # declared, streamed and decompressed (gzip bombs) alike
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a body cut short is an error (and retried), never a capture
REDIRECT_MAX_TIMES = 10
# Loopback hosts are for the sample portal only (a registry with `sample: true` allows them
# too); private, link-local and other non-public addresses are never fetched (crawler.guard).
ZFXXGK_ALLOW_LOOPBACK = False
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
COOKIES_ENABLED = True
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # hosts:port, see below
    "crawler.guard.SsrfGuardMiddleware": 50,  # http(s) only, public addresses only
    "crawler.middlewares.HostAllowlistMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.ChallengeMiddleware": 560,
    "crawler.middlewares.ConditionalGetMiddleware": 570,
    "crawler.guard.RedirectGuardMiddleware": 650,  # redirect loops and schemes, before Scrapy's
    "crawler.middlewares.WarcMiddleware": 950,
}
ITEM_PIPELINES = {"crawler.pipelines.CapturePipeline": 300}

# Chromium only for `render: browser` sources and the 521 challenge (Debian's build).
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": os.environ.get("ZFXXGK_CHROMIUM", "/usr/lib/chromium/chromium"),
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"],
}
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser.abort_request"

# Depth first: a report and its attachments finish before the next listing page.
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleLifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.LifoMemoryQueue"

# Scrapy re-parses a callback's source to look for `return value` in generators whenever it
# meets a new bound-method object — i.e. for every request read back from a queue on disk or
# in Redis (~3–7 ms each). The spider's callbacks are not such generators.
WARN_ON_GENERATOR_RETURN_VALUE = False

# A worker of a shared crawl (``--frontier``, crawler.frontier) leaves once the queue is empty
# and every worker has been idle this long (seconds; 0 = never). Read by scrapy-redis.
MAX_IDLE_TIME_BEFORE_CLOSE = 5
# ... and takes a request from the shared queue only for a host with fewer than this many
# requests waiting in it (the rest is left to workers with free connections), looking at
# most this far down the queue.
FRONTIER_PREFETCH = 2
FRONTIER_WINDOW = 16

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
