"""The national programme's arithmetic: task deadlines and statuses (no Django)."""
