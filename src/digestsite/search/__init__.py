"""Search: the site's own index of every paper, written as static files that static/search.js reads."""
