"""Makes the code Lambda runs (src/: `domain`, `repository`, `handlers`) importable here.

Those are top-level packages in src/, as Lambda sees them, and `python -m deploy` or
`python -m devserver` starts at the repository's root, where they are not. The operator's
tools that write what the functions read (an API key, its audit entry) use the functions'
own code for it, so that what they write cannot drift from what the functions expect.

Imported for its effect, before any import from src/. Appended, not prepended: nothing
in src/ may shadow a module of these tools or of the standard library.
"""

from __future__ import annotations

import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parent.parent / "src")
if SRC not in sys.path:
    sys.path.append(SRC)
