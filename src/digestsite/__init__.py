"""digestsite: publish weekly AI-paper digests as a fast, bilingual, static website."""

__version__ = "0.1.0"
