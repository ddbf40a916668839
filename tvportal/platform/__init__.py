"""The central platform: its interface, the embedded SQLite implementation, the HTTP client and the simulator."""
