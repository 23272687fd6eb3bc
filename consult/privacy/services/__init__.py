"""A person's rights over their data.

- `exports`: asking for a copy of one's data ("download my data");
- `archives`: the archive's file and link, building it in the background,
  serving it once, the hourly sweep;
- `erasure`: deleting an account, by anonymising it;
- `history`: redrawing a person's comments in the live event log.
"""
