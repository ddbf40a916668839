"""HTTP plumbing shared by every view: inline JSON for <script> elements (inline_json.py), header helpers
(headers.py), posted forms read safely (forms.py) and one-line logs for malformed requests (logs.py)."""
