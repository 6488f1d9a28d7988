"""``python -m calc`` runs the capcalc command line."""

from calc.cli import main

raise SystemExit(main())
