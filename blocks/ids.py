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
ACTION_ADD_CONTACT_ANYWAY = "add_contact_anyway"  # value: JSON [name, email, company]
ACTION_MERGE_CONTACT = "merge_contact"  # external select of the contact to merge into
MERGE_BLOCK_PREFIX = "merge:"  # block_id of the merge select: prefix + the contact merged
ACTION_ARCHIVE_CONTACT = "archive_contact"
ACTION_UNARCHIVE_CONTACT = "unarchive_contact"
ACTION_UNDO_MERGE = "undo_merge"  # value: id of the contact that was merged

# Value of the external-select option that creates a new contact: prefix + typed name.
NEW_CONTACT_PREFIX = "new:"

# Element action_ids inside input blocks (block id + "_input"), for reading `view.state.values`.
ACTION_TYPE_INPUT = "type_input"
ACTION_DATE_INPUT = "date_input"
ACTION_TIME_INPUT = "time_input"
ACTION_DURATION_INPUT = "duration_input"
ACTION_SUMMARY_INPUT = "summary_input"
ACTION_NOTES_INPUT = "notes_input"
ACTION_CONTACT_NAME_INPUT = "contact_name_input"
ACTION_CONTACT_EMAIL_INPUT = "contact_email_input"
ACTION_CONTACT_COMPANY_INPUT = "contact_company_input"
ACTION_CONTACT_CADENCE_INPUT = "contact_cadence_input"
ACTION_CONTACT_OWNER_INPUT = "contact_owner_input"
ACTION_SNOOZE_DATE_INPUT = "snooze_date_input"

# Snooze menu option values: f"{contact_id}:{days}", or f"{contact_id}:{SNOOZE_PICK}" to open the date picker.
SNOOZE_PICK = "pick"
SNOOZE_DAYS = (7, 30)

# The /interactions list modal.
LIST_MODAL = "interactions_list"
BLOCK_LIST_FILTERS = "list_filters"
BLOCK_LIST_DATES = "list_dates"
ACTION_FILTER_CONTACT = "filter_contact"
ACTION_FILTER_TYPES = "filter_types"
ACTION_FILTER_AUTHOR = "filter_author"
ACTION_FILTER_SORT = "filter_sort"
ACTION_FILTER_SINCE = "filter_since"
ACTION_FILTER_UNTIL = "filter_until"
BLOCK_LIST_SEARCH = "list_search"
ACTION_FILTER_SEARCH = "filter_search"
ACTION_PAGE_PREV = "page_prev"
ACTION_PAGE_NEXT = "page_next"
ACTION_ROW_MENU = "row_menu"  # overflow: view:ID, edit:ID, delete:ID
ACTION_CLEAR_FILTERS = "clear_filters"

# App Home.
ACTION_HOME_LOG = "home_log"
ACTION_HOME_DIGEST_ENABLED = "home_digest_enabled"
ACTION_HOME_DIGEST_TIME = "home_digest_time"
ACTION_HOME_DIGEST_DAYS = "home_digest_days"
ACTION_HOME_TEAM_CHANNEL = "home_team_channel"  # admins: where the weekly team digest goes
ACTION_HOME_TEAM_CHANNEL_OFF = "home_team_channel_off"

# Action blocks of a digest DM start with this, so a click there can update the digest in place.
DIGEST_BLOCK_PREFIX = "digest"
# A repeated log (same contact, type and summary within minutes): value carries the draft.
ACTION_LOG_AGAIN = "log_again"
ACTION_LOG_AGAIN_CANCEL = "log_again_cancel"

# Follow-ups (issue 17): buttons on due follow-ups in the digest, on App Home and on contact cards.
# Values carry the interaction id; the snooze menu's option values are f"{interaction_id}:{days}".
ACTION_FOLLOW_UP_DONE = "follow_up_done"
ACTION_FOLLOW_UP_SNOOZE = "follow_up_snooze"
ACTION_FOLLOW_UP_LOG = "follow_up_log"  # the log modal for its contact; saving marks it done
# block_id of a follow-up's actions: digest "digest:followup:<id>", Home "home_followup:<id>",
# contact card "card_followup:<id>" (a click there answers with the card re-rendered).
FOLLOW_UP_BLOCK = "followup"
HOME_FOLLOW_UP_BLOCK = "home_followup"
CARD_FOLLOW_UP_BLOCK = "card_followup"
# Log modal: the optional "Follow up on" date.
BLOCK_FOLLOW_UP = "follow_up"
ACTION_FOLLOW_UP_INPUT = "follow_up_input"
# App Home, admins: the weekday of the weekly team digest.
ACTION_HOME_TEAM_DIGEST_DAY = "home_team_digest_day"
