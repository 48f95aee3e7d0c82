"""Paper metadata from the arXiv API: the records, the file they are kept in, and the client that fetches them."""

# The arXiv API's query endpoint (here, so the command line can name it without loading the HTTP client).
API_URL = "https://export.arxiv.org/api/query"
