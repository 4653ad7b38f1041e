"""The domain vocabulary: records, typed errors, rules and the text parsers.

Pure Python: nothing here imports SQLAlchemy, Slack or the storage layer, so every other
layer (storage, blocks, services, handlers) can depend on it.
"""
