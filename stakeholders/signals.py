"""What happens to a person that the apps above this one must act on.

Those apps connect receivers (in their own `signals` module); this app never imports them.
Receivers run inside the sender's transaction, so what they change commits or rolls back
with it.
"""

from django.dispatch import Signal

# Sent with `person` and `when` after their involvement consent is withdrawn: nobody may
# involve them any more.
involvement_consent_withdrawn = Signal()

# Sent with `person`, `kind` (a ConsentKind) and `when` after any consent of theirs is
# withdrawn: what was kept under that consent must go.
consent_withdrawn = Signal()
