"""HTTP plumbing shared by every view: inline JSON for <script> elements, header helpers, request bodies
read safely (tvportal/http/forms.py)."""
