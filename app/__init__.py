"""maintainer-bot: drafts maintenance pull requests for Python repositories."""

__version__ = "0.1.0"
