"""The consultation summary and the official response report ("you said, we did")."""
