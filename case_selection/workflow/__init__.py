"""The Case Application workflow: its shipped definition and upgrades (definition, versions/), the classes
of its states (states), the 签核历程 log (action_log) and the districts' deadline records (deadlines)."""
