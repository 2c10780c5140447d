"""Heavy exports off the web request: the city summary xlsx and the casebook run on RQ as `Case Export Job`s
(progress in Desk, a notification with the file when done, the reason when they fail, a retry button, and
one job at a time per export and round). The rendering stays in case_selection/export/; this package only
orchestrates it.
"""
