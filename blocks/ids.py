"""Every callback, block and action id the app renders and listens for, in one place."""

# Views (modals) by callback_id.
LOG_MODAL = "interaction_modal"  # create or edit an interaction
CONTACT_MODAL = "contact_modal"  # edit a contact
SNOOZE_MODAL = "snooze_modal"  # choose a date to snooze a contact until
DETAIL_MODAL = "interaction_detail"

# Input blocks of the log modal; storage field names map onto these for field errors.
BLOCK_CONTACT = "contact"
BLOCK_TYPE = "type"
BLOCK_DATE = "date"
BLOCK_TIME = "time"
BLOCK_DURATION = "duration"
BLOCK_SUMMARY = "summary"
BLOCK_NOTES = "notes"
# The element inside each input block uses the same id with a "_input" suffix.
ACTION_CONTACT_SELECT = "contact_input"

# Input blocks of the contact modal.
BLOCK_CONTACT_NAME = "contact_name"
BLOCK_CONTACT_EMAIL = "contact_email"
BLOCK_CONTACT_COMPANY = "contact_company"
BLOCK_CONTACT_CADENCE = "contact_cadence"
BLOCK_CONTACT_OWNER = "contact_owner"
BLOCK_SNOOZE_DATE = "snooze_date"

# Buttons and menus; their `value` carries an id (always re-checked against the workspace).
ACTION_EDIT_INTERACTION = "edit_interaction"
ACTION_DELETE_INTERACTION = "delete_interaction"
ACTION_UNDO_DELETE = "undo_delete"
ACTION_VIEW_INTERACTION = "view_interaction"
ACTION_OPEN_TIMELINE = "open_timeline"
ACTION_LOG_FOR_CONTACT = "log_for_contact"
ACTION_EDIT_CONTACT = "edit_contact"
ACTION_SNOOZE_CONTACT = "snooze_contact"  # static select: 7, 30 days or "pick"
ACTION_SHOW_CONTACT = "show_contact"  # pick one of several matching contacts
ACTION_CREATE_CONTACT = "create_contact"  # value: the typed name

# Value of the external-select option that creates a new contact: prefix + typed name.
NEW_CONTACT_PREFIX = "new:"
