from django.core.management.base import BaseCommand
from django_fsm import RETURN_VALUE

from orders.models import Order, OrderItem


def mermaid_state_diagram(model) -> str:
    """The model's state machine as a Mermaid diagram, read from its django-fsm transitions."""
    field = model._meta.get_field("state")
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    edges = set()
    for transition in field.get_all_transitions(model):
        targets = (
            transition.target.allowed_states if isinstance(transition.target, RETURN_VALUE) else [transition.target]
        )
        for target in targets:
            label = transition.name + (" (back)" if isinstance(transition.target, RETURN_VALUE) else "")
            edges.add((str(transition.source), str(target), label))
    lines += [f"    {source} --> {target}: {label}" for source, target, label in sorted(edges)]
    terminal = {"rejected", "cancelled", "completed", "partial", "failed"} & {c for c, _ in field.choices}
    lines += [f"    {state} --> [*]" for state in sorted(terminal)]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the order (or item) state machine as a Mermaid diagram; `graph_transitions` gives Graphviz."

    def add_arguments(self, parser):
        parser.add_argument("--items", action="store_true", help="Draw the order item state machine instead.")

    def handle(self, *args, **options):
        self.stdout.write(mermaid_state_diagram(OrderItem if options["items"] else Order), ending="")
