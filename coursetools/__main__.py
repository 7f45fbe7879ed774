"""``python -m coursetools ...`` is ``python -m coursetools.course ...``."""

import sys

from coursetools.course import main

sys.exit(main())
