"""Writing the site: guarded paths, atomic files and folder swaps, the staging folder, parallel writers."""
