"""GovPlan: plans and reports of Vietnamese state agencies."""
