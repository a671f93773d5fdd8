"""Protobuf encodings of the HTTP API (``factforge.proto`` and its generated module)."""
