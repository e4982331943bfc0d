"""攻坚驾驶舱 functional core. Never imports streamlit."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
