"""Pure Block Kit renderers: data in, dicts out. No database, no network, no clock."""
