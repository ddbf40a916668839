"""Handlers of the TV pages, one module per part of the portal."""
