"""Paper metadata from the arXiv API: the records, the file they are kept in, and the client that fetches them."""
