"""FactForge front door: settings, HTTP API, CLI and the wiring of the layers."""
