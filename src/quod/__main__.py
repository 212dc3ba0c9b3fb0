"""`python -m quod` is the `quod` command."""

import sys

from quod.cli.main import main

sys.exit(main())
