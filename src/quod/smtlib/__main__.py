"""`python -m quod.smtlib FILE...`: see `quod.smtlib.cli`."""

from quod.smtlib.cli import main

raise SystemExit(main())
