"""TV flows on the central platform: identity, booking, handling, queries, rating."""
