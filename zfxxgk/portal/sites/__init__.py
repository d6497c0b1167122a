"""The sample portal's sites, one module per CMS family plus the obstacles (browser-only
listing, 521 challenge, spam mirror)."""
