"""The central budget pool's arithmetic: rules as data and the allocation of a pool among
the proposals, exact to the đồng (no Django)."""
