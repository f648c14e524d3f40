"""Event and command payloads, one pydantic model each. The envelope travels in the headers."""
