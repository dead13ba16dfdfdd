"""`python -m wright` runs the command line."""

import sys

from wright.cli import main

sys.exit(main())
