"""What other apps may need to hear about a person (they sit above systems; it knows none of
them)."""

from django.dispatch import Signal

# Sent inside the transaction that erases a person (stewardship.privacy.services.person_erase),
# with `workspace` and `person_id`, before their record goes. A receiver removes what it keeps
# that could hold them, in the same transaction, and returns how many things it removed.
person_erased = Signal()
