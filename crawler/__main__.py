"""``python -m crawler --db archive.db --blobs blobs --source ID`` — one crawl process."""

import sys

# sqlite-utils imports pandas when it is installed (~2 s of start-up); a crawl never uses it.
sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]

from crawler.runner import main  # noqa: E402

sys.exit(main())
