"""The guest's side of share links: `/s/<token>/` (a small Django page, not the studio's app).

`views` (the page: identify, then watch; the items' state as JSON; the watermarked files) and
`urls` (mounted at /s/ by frontend/urls.py, before the single-page app's catch-all). What is
decided lives in projects/services/sharing.py."""
