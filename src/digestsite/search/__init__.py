"""The search index: documents made from the site model, cut into shards, indexed by Pagefind."""
