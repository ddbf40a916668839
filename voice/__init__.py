"""Speech out (text to speech) and in (offline recognition); built by the voice issue."""
