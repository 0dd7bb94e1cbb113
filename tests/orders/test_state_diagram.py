from pathlib import Path

from orders.management.commands.state_diagram import mermaid_state_diagram
from orders.models import Order

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_state_machine_the_code_has():
    assert mermaid_state_diagram(Order) in README.read_text()
