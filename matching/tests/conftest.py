import sys
from pathlib import Path

# Let `pytest matching` work from the repo root without installing the package.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
