"""The app's screens: one recording, a folder of sessions, help, warnings and errors."""
