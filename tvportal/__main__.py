"""``python -m tvportal`` is the same as the ``tvportal`` command."""

import sys

from tvportal.cli import main

sys.exit(main())
